/* ARM PrimeCell GPIO (PL061), register map from the TRM (DDI 0190). */
#ifndef QVP_PL061_H
#define QVP_PL061_H

#ifdef __cplusplus
extern "C" {
#endif

#define PL061_LINES 8

enum pl061_register {
	PL061_DATA = 0x000,  /* 0x000-0x3fc: address bits 9:2 select the lines an access sees */
	PL061_DIR = 0x400,   /* 1: output */
	PL061_IS = 0x404,
	PL061_IBE = 0x408,
	PL061_IEV = 0x40c,
	PL061_IE = 0x410,
	PL061_RIS = 0x414,
	PL061_MIS = 0x418,
	PL061_IC = 0x41c,
	PL061_AFSEL = 0x420,
	PL061_PERIPH_ID0 = 0xfe0, /* PeriphID0..3 at 0xfe0..0xfec, PCellID0..3 at 0xff0..0xffc */
};

#ifdef __cplusplus
}
#endif
#endif
