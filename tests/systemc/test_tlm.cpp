// The TLM-2.0 pieces of runtime/systemc/ in small SystemC test benches: the CPU module's
// bridge (payload fields, DMI, error responses as guest bus errors), qvp's bus as a TLM
// target (RAM with DMI, a qvp model, unmapped addresses) and mmio_target with its
// interrupt signal. A SystemC kernel elaborates once per process, so each TEST builds its
// own bench and CTest runs each in its own process (gtest_discover_tests).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "error.h"
#include "gicv2.h"
#include "machine.h"
#include "pl011.h"
#include "sp804.h"
#include "qvp_systemc.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::TempDir;

namespace {

struct seen_transaction {
	tlm::tlm_command command;
	uint64_t address;
	unsigned length;
	unsigned streaming_width;
	bool byte_enables;
	vtime_t at; // sc_time_stamp() + annotated delay
	uint64_t data;
};

// Answers at [0x0c000000, +0x100) with a register, with TLM_ADDRESS_ERROR_RESPONSE elsewhere.
struct recording_target : sc_core::sc_module {
	tlm_utils::simple_target_socket<recording_target> socket;
	std::vector<seen_transaction> seen;
	uint64_t value = 0x1122334455667788ull;
	sc_core::sc_time latency = sc_core::SC_ZERO_TIME; // annotated on every access

	explicit recording_target(sc_core::sc_module_name name) : sc_module(name), socket("socket")
	{
		socket.register_b_transport(this, &recording_target::b_transport);
	}
	void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
	{
		seen_transaction t = { trans.get_command(), trans.get_address(), trans.get_data_length(),
				       trans.get_streaming_width(), trans.get_byte_enable_ptr() != nullptr,
				       qvp::sc::from_sc_time(sc_core::sc_time_stamp() + delay), 0 };
		if (trans.get_address() - 0x0c000000 >= 0x100) {
			seen.push_back(t);
			trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
			return;
		}
		if (trans.is_write())
			std::memcpy(&value, trans.get_data_ptr(), trans.get_data_length());
		else
			std::memcpy(trans.get_data_ptr(), &value, trans.get_data_length());
		std::memcpy(&t.data, trans.get_data_ptr(), trans.get_data_length());
		seen.push_back(t);
		delay += latency;
		trans.set_response_status(tlm::TLM_OK_RESPONSE);
	}
};

struct machine_deleter {
	void operator()(struct machine *machine) const { machine_destroy(machine); }
};

struct bench_machine {
	TempDir dir;
	std::unique_ptr<struct machine, machine_deleter> machine;
	FILE *console = nullptr;

	explicit bench_machine(const std::vector<uint32_t> &code, vtime_t timeout)
	{
		std::string path = dir.path("code.bin");
		qvp_test::write_file(path, std::string(reinterpret_cast<const char *>(code.data()), code.size() * 4));
		std::string platform = build_path("platforms/virt.dtb");
		console = fopen(dir.path("console").c_str(), "w");
		struct machine_config config = {};
		config.platform_path = platform.c_str();
		config.firmware_path = path.c_str();
		config.raw_firmware = true;
		config.raw_address = 0x40080000;
		config.backend = BACKEND_ISS;
		config.quantum = 100 * VTIME_US;
		config.timeout = timeout;
		config.console = console;
		machine.reset(machine_create(&config));
	}
	~bench_machine()
	{
		machine.reset();
		if (console)
			fclose(console);
	}
	std::string console_text()
	{
		fflush(console);
		return qvp_test::read_file(dir.path("console"));
	}
};

TEST(Bridge, GuestAccessesBecomeBTransportWithTheirTimeAndErrorsBecomeDataAborts)
{
	// x1 = 0x0c000000; w0 = 0x1234; str w0, [x1]; ldrh w2, [x1]; ldr x3, [x1];
	// ldr w4, [x1, #0x100] (an address error: a data abort, VBAR_EL1 0 -> exception loop)
	bench_machine bench({ 0xd2a18001, 0x52824680, 0xb9000020, 0x79400022, 0xf9400023, 0xb9410024 },
			    10 * VTIME_US);
	ASSERT_TRUE(bench.machine) << error_message();
	qvp::sc::cpu cpu("cpu", bench.machine.get());
	recording_target target("target");
	cpu.bridge.bind(target.socket);
	sc_core::sc_start();

	ASSERT_TRUE(cpu.finished());
	// the guest is stuck in its abort loop: the run ends there, before the timeout
	EXPECT_EQ(bench.machine->stop_cause, MACHINE_FATAL);
	EXPECT_NE(std::string(error_message()).find("exception loop"), std::string::npos) << error_message();
	EXPECT_EQ(qvp::sc::from_sc_time(sc_core::sc_time_stamp()), bench.machine->now); // SystemC agrees
	ASSERT_EQ(target.seen.size(), 4u);
	EXPECT_EQ(target.seen[0].command, tlm::TLM_WRITE_COMMAND);
	EXPECT_EQ(target.seen[0].address, 0x0c000000u);
	EXPECT_EQ(target.seen[0].length, 4u);
	EXPECT_EQ(target.seen[0].streaming_width, 4u);
	EXPECT_FALSE(target.seen[0].byte_enables); // all bytes of the access enabled
	EXPECT_EQ(target.seen[0].data, 0x1234u);
	EXPECT_EQ(target.seen[0].at, 2 * VTIME_NS); // after two instructions at 1 ns each
	EXPECT_EQ(target.seen[1].command, tlm::TLM_READ_COMMAND);
	EXPECT_EQ(target.seen[1].length, 2u);
	EXPECT_EQ(target.seen[1].at, 3 * VTIME_NS);
	EXPECT_EQ(target.seen[2].length, 8u);
	EXPECT_EQ(target.seen[2].data, 0x1122334400001234ull);
	EXPECT_EQ(target.seen[3].address, 0x0c000100u);
	EXPECT_EQ(cpu.bridge_transactions(), 4u);
	uint64_t x2 = 0, x3 = 0;
	bench.machine->cpu->ops->get_register(bench.machine->cpu, (enum cpu_register)2, &x2);
	bench.machine->cpu->ops->get_register(bench.machine->cpu, (enum cpu_register)3, &x3);
	EXPECT_EQ(x2, 0x1234u);
	EXPECT_EQ(x3, 0x1122334400001234ull);
}

// A target's annotated latency is charged to the CPU: the next instruction starts that much
// later, and the run's virtual time is its instructions plus the waits.
TEST(Bridge, AnnotatedLatencyDelaysTheCpu)
{
	// x1 = 0x0c000000; three times ldr w0, [x1]; b .
	bench_machine bench({ 0xd2a18001, 0xb9400020, 0xb9400020, 0xb9400020, 0x14000000 }, 10 * VTIME_US);
	ASSERT_TRUE(bench.machine) << error_message();
	qvp::sc::cpu cpu("cpu", bench.machine.get());
	recording_target target("target");
	target.latency = sc_core::sc_time(50, sc_core::SC_NS);
	cpu.bridge.bind(target.socket);
	sc_core::sc_start();

	ASSERT_TRUE(cpu.finished());
	EXPECT_EQ(bench.machine->stop_cause, MACHINE_TIMEOUT);
	ASSERT_EQ(target.seen.size(), 3u);
	EXPECT_EQ(target.seen[0].at, 1 * VTIME_NS); // after the mov
	EXPECT_EQ(target.seen[1].at, (1 + 1 + 50) * VTIME_NS); // the first load took 1 ns + 50 ns
	EXPECT_EQ(target.seen[2].at, (1 + 2 + 100) * VTIME_NS);
	EXPECT_EQ(bench.machine->stats.stalled, 150 * VTIME_NS);
	EXPECT_EQ(bench.machine->now, 10 * VTIME_US);
	EXPECT_EQ(bench.machine->stats.instructions, (10 * VTIME_US - 150 * VTIME_NS) / VTIME_NS);
	EXPECT_EQ(qvp::sc::from_sc_time(sc_core::sc_time_stamp()), 10 * VTIME_US);
}

// A target that waits inside b_transport, which a CPU in the middle of its run cannot follow.
struct waiting_target : sc_core::sc_module {
	tlm_utils::simple_target_socket<waiting_target> socket;

	explicit waiting_target(sc_core::sc_module_name name) : sc_module(name), socket("socket")
	{
		socket.register_b_transport(this, &waiting_target::b_transport);
	}
	void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &)
	{
		wait(sc_core::sc_time(5, sc_core::SC_NS));
		trans.set_response_status(tlm::TLM_OK_RESPONSE);
	}
};

TEST(Bridge, ATargetThatWaitsInBTransportIsAnErrorNotAConfusedClock)
{
	bench_machine bench({ 0xd2a18001, 0xb9400020, 0x14000000 }, 10 * VTIME_US); // ldr w0, [0x0c000000]
	ASSERT_TRUE(bench.machine) << error_message();
	qvp::sc::cpu cpu("cpu", bench.machine.get());
	waiting_target target("target");
	cpu.bridge.bind(target.socket);
	sc_core::sc_start();

	ASSERT_TRUE(cpu.finished());
	EXPECT_EQ(bench.machine->stop_cause, MACHINE_FATAL);
	EXPECT_NE(std::string(error_message()).find("called wait() in b_transport"), std::string::npos)
		<< error_message();
}

// Drives qvp's bus socket from SystemC: RAM, DMI into RAM, the PL011, an unmapped address.
struct bus_initiator : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<bus_initiator> socket;
	std::vector<tlm::tlm_response_status> responses;
	uint32_t ram_word = 0;
	bool dmi_granted = false;
	unsigned char *dmi_pointer = nullptr;

	explicit bus_initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket")
	{
		SC_HAS_PROCESS(bus_initiator);
		SC_THREAD(run);
	}
	tlm::tlm_response_status access(tlm::tlm_command command, uint64_t address, void *data, unsigned length)
	{
		tlm::tlm_generic_payload trans;
		sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
		trans.set_command(command);
		trans.set_address(address);
		trans.set_data_ptr(static_cast<unsigned char *>(data));
		trans.set_data_length(length);
		trans.set_streaming_width(length);
		trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		socket->b_transport(trans, delay);
		if (command == tlm::TLM_READ_COMMAND && address == 0x40100000) {
			tlm::tlm_dmi dmi;
			dmi_granted = trans.is_dmi_allowed() && socket->get_direct_mem_ptr(trans, dmi);
			if (dmi_granted)
				dmi_pointer = dmi.get_dmi_ptr() + (address - dmi.get_start_address());
		}
		return trans.get_response_status();
	}
	void run()
	{
		wait(sc_core::sc_time(10, sc_core::SC_NS));
		uint32_t word = 0xcafef00d;
		responses.push_back(access(tlm::TLM_WRITE_COMMAND, 0x40100000, &word, 4));
		responses.push_back(access(tlm::TLM_READ_COMMAND, 0x40100000, &ram_word, 4));
		char text[] = "TLM";
		for (char &c : text)
			if (c)
				responses.push_back(access(tlm::TLM_WRITE_COMMAND, 0x09000000 + PL011_DR, &c, 1));
		uint32_t nothing = 0;
		responses.push_back(access(tlm::TLM_READ_COMMAND, 0x08100000, &nothing, 4)); /* nothing there */
	}
};

TEST(BusSocket, SystemCInitiatorsReachQvpRamAndModels)
{
	bench_machine bench({ 0xd503207f, 0x14000000 }, 1 * VTIME_US); // wfi; b .
	ASSERT_TRUE(bench.machine) << error_message();
	qvp::sc::cpu cpu("cpu", bench.machine.get());
	bus_initiator initiator("initiator");
	initiator.socket.bind(cpu.bus);
	sc_core::sc_start();

	EXPECT_EQ(bench.machine->stop_cause, MACHINE_TIMEOUT);
	ASSERT_EQ(initiator.responses.size(), 6u);
	for (size_t i = 0; i < 5; i++)
		EXPECT_EQ(initiator.responses[i], tlm::TLM_OK_RESPONSE) << i;
	EXPECT_EQ(initiator.responses[5], tlm::TLM_ADDRESS_ERROR_RESPONSE);
	EXPECT_EQ(initiator.ram_word, 0xcafef00du);
	ASSERT_TRUE(initiator.dmi_granted);
	uint32_t through_dmi;
	std::memcpy(&through_dmi, initiator.dmi_pointer, 4);
	EXPECT_EQ(through_dmi, 0xcafef00du);
	EXPECT_EQ(bench.console_text(), "TLM");
}

// A register block in the style of a qvp model: one register, an interrupt while it is non-zero.
struct toy_model {
	uint32_t value = 0;
	struct irq_line line = {};
};

bool toy_read(void *opaque, uint64_t offset, unsigned, uint64_t *value)
{
	if (offset != 0)
		return false; // refused: a device error
	*value = static_cast<toy_model *>(opaque)->value;
	return true;
}

bool toy_write(void *opaque, uint64_t offset, unsigned, uint64_t value)
{
	toy_model *toy = static_cast<toy_model *>(opaque);
	if (offset != 0)
		return false;
	toy->value = (uint32_t)value;
	irq_line_set(&toy->line, toy->value != 0);
	return true;
}

const struct mmio_ops toy_ops = { toy_read, toy_write };

struct mmio_initiator : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<mmio_initiator> socket;
	sc_core::sc_in<bool> irq;
	std::vector<tlm::tlm_response_status> responses;
	std::vector<bool> irq_levels;
	uint32_t read_back = 0;

	explicit mmio_initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket"), irq("irq")
	{
		SC_HAS_PROCESS(mmio_initiator);
		SC_THREAD(run);
	}
	tlm::tlm_response_status access(tlm::tlm_command command, uint64_t address, uint32_t *data, unsigned length)
	{
		tlm::tlm_generic_payload trans;
		sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
		trans.set_command(command);
		trans.set_address(address);
		trans.set_data_ptr(reinterpret_cast<unsigned char *>(data));
		trans.set_data_length(length);
		trans.set_streaming_width(length);
		trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		socket->b_transport(trans, delay);
		return trans.get_response_status();
	}
	void run()
	{
		uint32_t value = 5;
		irq_levels.push_back(irq.read());
		responses.push_back(access(tlm::TLM_WRITE_COMMAND, 0, &value, 4));
		wait(sc_core::SC_ZERO_TIME);
		wait(sc_core::SC_ZERO_TIME);
		irq_levels.push_back(irq.read());
		responses.push_back(access(tlm::TLM_READ_COMMAND, 0, &read_back, 4));
		value = 0;
		responses.push_back(access(tlm::TLM_WRITE_COMMAND, 0, &value, 4));
		wait(sc_core::SC_ZERO_TIME);
		wait(sc_core::SC_ZERO_TIME);
		irq_levels.push_back(irq.read());
		responses.push_back(access(tlm::TLM_READ_COMMAND, 4, &value, 4));     // refused by the model
		responses.push_back(access(tlm::TLM_READ_COMMAND, 0x100, &value, 4)); // outside the block
		responses.push_back(access(tlm::TLM_READ_COMMAND, 2, &value, 4));     // misaligned
	}
};

TEST(MmioTarget, ServesAModelsRegistersAndDrivesItsInterruptSignal)
{
	toy_model toy;
	qvp::sc::mmio_target target("toy", &toy_ops, &toy, 0x100);
	sc_core::sc_signal<bool> irq("toy_irq");
	toy.line = target.irq_output(irq);
	mmio_initiator initiator("initiator");
	initiator.socket.bind(target.socket);
	initiator.irq.bind(irq);
	sc_core::sc_start();

	ASSERT_EQ(initiator.responses.size(), 6u);
	EXPECT_EQ(initiator.responses[0], tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(initiator.responses[1], tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(initiator.read_back, 5u);
	EXPECT_EQ(initiator.responses[2], tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(initiator.responses[3], tlm::TLM_GENERIC_ERROR_RESPONSE);
	EXPECT_EQ(initiator.responses[4], tlm::TLM_ADDRESS_ERROR_RESPONSE);
	EXPECT_EQ(initiator.responses[5], tlm::TLM_BURST_ERROR_RESPONSE);
	EXPECT_EQ(initiator.irq_levels, (std::vector<bool>{ false, true, false }));
}

const char models_board[] = R"(/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	memory@80000000 {
		device_type = "memory";
		reg = <0x0 0x80000000 0x0 0x10000>;
	};
	sc_irq: interrupts {
		compatible = "qvp,sc-interrupts", "qvp,systemc-target";
		interrupt-controller;
		#interrupt-cells = <1>;
	};
	timclk: timclk {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <1000000>;
	};
	sp804@1000 {
		compatible = "arm,sp804", "arm,primecell";
		reg = <0x0 0x1000 0x0 0x1000>;
		interrupt-parent = <&sc_irq>;
		interrupts = <3>;
		clocks = <&timclk>, <&timclk>, <&timclk>;
		clock-names = "timclk1", "timclk2", "apb_pclk";
	};
	pl011@2000 {
		compatible = "arm,pl011", "arm,primecell";
		reg = <0x0 0x2000 0x0 0x1000>;
		interrupt-parent = <&sc_irq>;
		interrupts = <4>;
	};
};
)";

// Drives qvp's SP804, PL011 and RAM from SystemC, with no qvp CPU anywhere.
struct models_initiator : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<models_initiator> socket;
	sc_core::sc_in<bool> timer_irq;
	std::vector<tlm::tlm_response_status> responses;
	vtime_t irq_rose = 0, irq_fell = 0;
	uint32_t ram_word = 0;
	bool dmi = false;

	explicit models_initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket"), timer_irq("timer_irq")
	{
		SC_HAS_PROCESS(models_initiator);
		SC_THREAD(run);
	}
	void access(tlm::tlm_command command, uint64_t address, void *data, unsigned length)
	{
		tlm::tlm_generic_payload trans;
		sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
		trans.set_command(command);
		trans.set_address(address);
		trans.set_data_ptr(static_cast<unsigned char *>(data));
		trans.set_data_length(length);
		trans.set_streaming_width(length);
		trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		socket->b_transport(trans, delay);
		responses.push_back(trans.get_response_status());
		if (trans.is_dmi_allowed()) {
			tlm::tlm_dmi granted;
			dmi = socket->get_direct_mem_ptr(trans, granted);
		}
	}
	void run()
	{
		wait(sc_core::sc_time(1, sc_core::SC_US));
		uint32_t load = 100; // 100 ticks of 1 MHz
		uint32_t control = SP804_CTRL_ENABLE | SP804_CTRL_ONESHOT | SP804_CTRL_32BIT | SP804_CTRL_INTEN;
		access(tlm::TLM_WRITE_COMMAND, 0x1000 + SP804_LOAD, &load, 4);
		access(tlm::TLM_WRITE_COMMAND, 0x1000 + SP804_CONTROL, &control, 4);
		wait(timer_irq.posedge_event());
		irq_rose = qvp::sc::from_sc_time(sc_core::sc_time_stamp());
		uint32_t clear = 1;
		access(tlm::TLM_WRITE_COMMAND, 0x1000 + SP804_INTCLR, &clear, 4);
		wait(timer_irq.negedge_event());
		irq_fell = qvp::sc::from_sc_time(sc_core::sc_time_stamp());
		for (char c : std::string("qvp"))
			access(tlm::TLM_WRITE_COMMAND, 0x2000 + PL011_DR, &c, 1);
		uint32_t word = 0x600df00d;
		access(tlm::TLM_WRITE_COMMAND, 0x80000010, &word, 4);
		access(tlm::TLM_READ_COMMAND, 0x80000010, &ram_word, 4);
		access(tlm::TLM_READ_COMMAND, 0x3000, &word, 4); // nothing there
	}
};

TEST(Models, QvpModelsServeTlmWithTheirEventsInSystemCTimeAndInterruptsAsSignals)
{
	TempDir dir;
	std::string board = dir.path("board.dts");
	qvp_test::write_file(board, models_board);
	FILE *console = fopen(dir.path("console").c_str(), "w");
	{
		qvp::sc::models models("models", board.c_str(), console);
		ASSERT_TRUE(models.ok()) << error_message();
		models_initiator initiator("initiator");
		initiator.socket.bind(models.socket);
		initiator.timer_irq.bind(models.irq(3));
		sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));

		EXPECT_EQ(initiator.irq_rose, 101 * VTIME_US); // started at 1 us, 100 ticks of 1 us
		EXPECT_EQ(initiator.irq_fell, 101 * VTIME_US); // cleared at once
		ASSERT_EQ(initiator.responses.size(), 9u);
		for (size_t i = 0; i < 8; i++)
			EXPECT_EQ(initiator.responses[i], tlm::TLM_OK_RESPONSE) << i;
		EXPECT_EQ(initiator.responses[8], tlm::TLM_ADDRESS_ERROR_RESPONSE);
		EXPECT_EQ(initiator.ram_word, 0x600df00du);
		EXPECT_TRUE(initiator.dmi);
	}
	fclose(console);
	EXPECT_EQ(qvp_test::read_file(dir.path("console")), "qvp");
}

const char gic_board[] = R"(/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	interrupt-parent = <&gic>;
	memory@80000000 {
		device_type = "memory";
		reg = <0x0 0x80000000 0x0 0x10000>;
	};
	gic: intc@8000000 {
		compatible = "arm,cortex-a15-gic";
		#interrupt-cells = <3>;
		#address-cells = <0>;
		interrupt-controller;
		reg = <0x0 0x08000000 0x0 0x10000>, <0x0 0x08010000 0x0 0x10000>;
	};
	sp804@9100000 {
		compatible = "arm,sp804", "arm,primecell";
		reg = <0x0 0x09100000 0x0 0x1000>;
		interrupts = <0 10 4>;
		clock-frequency = <1000000>;
	};
	device {
		compatible = "qvp,sc-device", "qvp,systemc-target";
		interrupts = <0 5 4>;
	};
};
)";

// Plays a SystemC CPU's part against qvp's GIC and SP804, and raises a SystemC device's line.
struct gic_initiator : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<gic_initiator> socket;
	sc_core::sc_in<bool> cpu_irq;
	sc_core::sc_signal<bool> device_irq;
	vtime_t timer_irq_at = 0, device_irq_at = 0, acked_low_at = 0;
	uint32_t first_id = 0, second_id = 0;

	explicit gic_initiator(sc_core::sc_module_name name)
		: sc_module(name), socket("socket"), cpu_irq("cpu_irq"), device_irq("device_irq")
	{
		SC_HAS_PROCESS(gic_initiator);
		SC_THREAD(run);
	}
	uint32_t access(tlm::tlm_command command, uint64_t address, uint32_t value = 0)
	{
		tlm::tlm_generic_payload trans;
		sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
		trans.set_command(command);
		trans.set_address(address);
		trans.set_data_ptr(reinterpret_cast<unsigned char *>(&value));
		trans.set_data_length(4);
		trans.set_streaming_width(4);
		trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		socket->b_transport(trans, delay);
		return value;
	}
	void write(uint64_t address, uint32_t value) { access(tlm::TLM_WRITE_COMMAND, address, value); }
	uint32_t read(uint64_t address) { return access(tlm::TLM_READ_COMMAND, address); }
	void run()
	{
		const uint64_t gicd = 0x08000000, gicc = 0x08010000;
		wait(sc_core::sc_time(1, sc_core::SC_US));
		write(gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
		write(gicd + GICD_ISENABLER + 4, (1u << (42 - 32)) | (1u << (37 - 32)));
		write(gicd + GICD_IPRIORITYR + 40, 0xa0a0a0a0u);
		write(gicd + GICD_IPRIORITYR + 36, 0xa0a0a0a0u);
		write(gicd + GICD_ITARGETSR + 40, 0x01010101u);
		write(gicd + GICD_ITARGETSR + 36, 0x01010101u);
		write(gicc + GICC_PMR, 0xff);
		write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
		write(0x09100000 + SP804_LOAD, 50); // 50 ticks of 1 MHz from 1 us
		write(0x09100000 + SP804_CONTROL,
		      SP804_CTRL_ENABLE | SP804_CTRL_ONESHOT | SP804_CTRL_32BIT | SP804_CTRL_INTEN);
		wait(cpu_irq.posedge_event());
		timer_irq_at = qvp::sc::from_sc_time(sc_core::sc_time_stamp());
		first_id = read(gicc + GICC_IAR);
		wait(sc_core::SC_ZERO_TIME); // a signal changes in the next delta
		if (!cpu_irq.read())
			acked_low_at = timer_irq_at;
		write(0x09100000 + SP804_INTCLR, 1);
		write(gicc + GICC_EOIR, first_id);
		wait(sc_core::sc_time(10, sc_core::SC_US));
		device_irq.write(true);
		wait(cpu_irq.posedge_event());
		device_irq_at = qvp::sc::from_sc_time(sc_core::sc_time_stamp());
		second_id = read(gicc + GICC_IAR);
		device_irq.write(false);
		write(gicc + GICC_EOIR, second_id);
	}
};

TEST(Models, QvpGicDrivesASystemCCpuLineAndTakesSystemCInterrupts)
{
	TempDir dir;
	std::string board = dir.path("board.dts");
	qvp_test::write_file(board, gic_board);
	qvp::sc::models models("models", board.c_str(), stdout);
	ASSERT_TRUE(models.ok()) << error_message();
	gic_initiator initiator("initiator");
	initiator.socket.bind(models.socket);
	initiator.cpu_irq.bind(models.cpu_irq);
	ASSERT_EQ(models.connect_interrupt("/device", 0, initiator.device_irq), 0) << error_message();
	EXPECT_EQ(models.connect_interrupt("/nowhere", 0, initiator.device_irq), -1);
	sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));

	EXPECT_EQ(initiator.timer_irq_at, 51 * VTIME_US); // the SP804's SPI 10 through the GIC
	EXPECT_EQ(initiator.first_id, 42u);
	EXPECT_EQ(initiator.acked_low_at, 51 * VTIME_US); // acknowledging dropped the CPU's line
	EXPECT_EQ(initiator.device_irq_at, 61 * VTIME_US); // the SystemC device's SPI 5, at once
	EXPECT_EQ(initiator.second_id, 37u);
}

} // namespace

int sc_main(int argc, char **argv)
{
	qvp::sc::set_time_resolution();
	testing::InitGoogleTest(&argc, argv);
	return RUN_ALL_TESTS();
}
