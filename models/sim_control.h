/* Simulation control: a qvp-specific device through which a guest ends the run. */
#ifndef QVP_SIM_CONTROL_H
#define QVP_SIM_CONTROL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Register offsets; all registers are 32 bits wide. */
enum sim_control_register {
	SIM_CONTROL_ID = 0x00,   /* read-only: SIM_CONTROL_ID_VALUE */
	SIM_CONTROL_EXIT = 0x04, /* write-only: ends the simulation; qvp exits with (value & 0xff) */
};

#define SIM_CONTROL_ID_VALUE 0x51565043u /* "QVPC" */

#ifdef __cplusplus
}
#endif
#endif
