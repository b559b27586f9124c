/* ARM Dual-Timer Module (SP804), register map from the Technical Reference Manual (DDI 0271). */
#ifndef QVP_SP804_H
#define QVP_SP804_H

#ifdef __cplusplus
extern "C" {
#endif

#define SP804_TIMER_STRIDE 0x20 /* Timer1 at 0x00, Timer2 at 0x20 */

enum sp804_register { /* per timer, add n * SP804_TIMER_STRIDE */
	SP804_LOAD = 0x00,
	SP804_VALUE = 0x04,
	SP804_CONTROL = 0x08,
	SP804_INTCLR = 0x0c,
	SP804_RIS = 0x10,
	SP804_MIS = 0x14,
	SP804_BGLOAD = 0x18,
	SP804_ITCR = 0xf00,
	SP804_ITOP = 0xf04,
	SP804_PERIPH_ID0 = 0xfe0, /* PeriphID0..3 at 0xfe0..0xfec, PCellID0..3 at 0xff0..0xffc */
};

enum sp804_control {
	SP804_CTRL_ONESHOT = 1u << 0,
	SP804_CTRL_32BIT = 1u << 1,
	SP804_CTRL_PRESCALE_16 = 1u << 2, /* TimerPre: bits 3:2, 0 /1, 1 /16, 2 /256 */
	SP804_CTRL_PRESCALE_256 = 2u << 2,
	SP804_CTRL_INTEN = 1u << 5,
	SP804_CTRL_PERIODIC = 1u << 6, /* else free-running */
	SP804_CTRL_ENABLE = 1u << 7,
};

#ifdef __cplusplus
}
#endif
#endif
