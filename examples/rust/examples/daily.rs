//! Print what each day cost: the Rust twin of examples/daily-cost.c.
//!
//!     cargo run --example daily -- [DATA_DIR]

use claudeusage::Context;

fn main() -> Result<(), claudeusage::Error> {
    let mut ctx = Context::new()?;
    if let Some(dir) = std::env::args_os().nth(1) {
        ctx.add_root(dir)?; // else the default ~/.config/claude and ~/.claude
    }
    ctx.set_timezone("UTC")?.load()?;
    let daily = ctx.daily()?; // a Report: freed when dropped
    for row in &daily {
        let (tokens, cost) = (row.total_tokens(), row.cost_usd());
        println!("{}  {tokens:12} tokens  ${cost:10.4}", row.key());
    }
    let t = daily.totals();
    let (tokens, cost, n) = (t.total_tokens(), t.cost_usd(), t.entries());
    println!("total       {tokens:12} tokens  ${cost:10.4}  ({n} entries)");
    Ok(())
}
