// The umbrella header from C++: extern "C" guards, no C-only constructs.
#include <claudeusage/claudeusage.h>

int main()
{
	cu_ctx *ctx = nullptr;
	if (cu_ctx_new(&ctx) != CU_OK)
		return 1;
	cu_ctx_free(ctx);
	return cu_abi_version() == CU_ABI_VERSION ? 0 : 1;
}
