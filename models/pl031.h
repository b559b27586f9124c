/* ARM PrimeCell Real Time Clock (PL031), register map from the TRM (DDI 0224). */
#ifndef QVP_PL031_H
#define QVP_PL031_H

#ifdef __cplusplus
extern "C" {
#endif

enum pl031_register {
	PL031_DR = 0x00,   /* data: the current count, seconds */
	PL031_MR = 0x04,   /* match */
	PL031_LR = 0x08,   /* load */
	PL031_CR = 0x0c,   /* control: bit 0 starts the counter (set from reset here) */
	PL031_IMSC = 0x10, /* interrupt mask set/clear: bit 0 */
	PL031_RIS = 0x14,
	PL031_MIS = 0x18,
	PL031_ICR = 0x1c,
	PL031_PERIPH_ID0 = 0xfe0, /* PeriphID0..3 at 0xfe0..0xfec, PCellID0..3 at 0xff0..0xffc */
};

#ifdef __cplusplus
}
#endif
#endif
