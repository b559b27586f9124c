/* Reads an accelerator offset past its registers under qvp-sc --platform virt-sc, with no
 * handler installed: the SystemC target answers TLM_ADDRESS_ERROR_RESPONSE, which must reach
 * the guest as a data abort that the SDK's default handler reports before exiting with 127. */
#include <qvp/fdt.h>
#include <qvp/sdk.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	uint64_t base;

	if (fdt_find_compatible_reg(sdk_platform()->dtb, "qvp,sc-accelerator", &base, NULL) < 0) {
		printf("sc_fault: no qvp,sc-accelerator in the device tree\n");
		return 1;
	}
	printf("sc_fault: reading 0x%lx\n", (unsigned long)(base + 0x800));
	return (int)*(volatile uint32_t *)(base + 0x800);
}
