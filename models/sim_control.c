/* Simulation control: the guest ends the run by writing its exit code. */
#include "sim_control.h"

#include <stdlib.h>

#include "error.h"
#include "models.h"

struct sim_control {
	struct machine *machine;
};

static bool sim_control_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	(void)opaque;
	(void)size;
	*value = offset == SIM_CONTROL_ID ? SIM_CONTROL_ID_VALUE : 0;
	return true;
}

static bool sim_control_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct sim_control *control = opaque;

	(void)size;
	if (offset == SIM_CONTROL_EXIT)
		machine_request_exit(control->machine, (int)(value & 0xff));
	return true;
}

static const struct mmio_ops sim_control_mmio = {
	.read = sim_control_read,
	.write = sim_control_write,
};

int sim_control_create(const struct model_config *config, struct model_instance *instance)
{
	struct sim_control *control = calloc(1, sizeof(*control));

	if (!control)
		return error_set("%s: out of memory", config->path);
	control->machine = config->machine;
	if (bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &sim_control_mmio,
			 control) < 0) {
		free(control);
		return -1;
	}
	instance->state = control;
	instance->destroy = free;
	return 0;
}
