#include "test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "error.h"
#include "loop.h"
#include "platform.h"

extern char **environ;

namespace qvp_test {

std::string build_path(const std::string &relative)
{
	return std::string(QVP_BUILD_DIR) + "/" + relative;
}

std::string data_path(const std::string &relative)
{
	return std::string(QVP_TEST_DATA) + "/" + relative;
}

TempDir::TempDir()
{
	char templ[] = "/tmp/qvp-test-XXXXXX";
	if (!mkdtemp(templ))
		throw std::runtime_error("mkdtemp failed");
	dir_ = templ;
}

TempDir::~TempDir()
{
	std::string command = "rm -rf '" + dir_ + "'";
	if (system(command.c_str()) != 0)
		fprintf(stderr, "could not remove %s\n", dir_.c_str());
}

std::string TempDir::path(const std::string &name) const
{
	return dir_ + "/" + name;
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream contents;
	contents << in.rdbuf();
	return contents.str();
}

size_t count(const std::string &text, const std::string &part)
{
	size_t found = 0;
	for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
		found++;
	return found;
}

std::string stats_value(const std::string &err, const std::string &name)
{
	size_t at = err.find("\n" + name + ": ");
	if (at == std::string::npos)
		return "";
	at += name.size() + 3;
	return err.substr(at, err.find('\n', at) - at);
}

void write_file(const std::string &path, const std::string &contents)
{
	std::ofstream out(path, std::ios::binary);
	out << contents;
}

ProcessResult run_process(const std::vector<std::string> &argv)
{
	TempDir dir;
	std::string out_path = dir.path("out"), err_path = dir.path("err");
	std::vector<char *> args;
	posix_spawn_file_actions_t actions;
	ProcessResult result;
	pid_t child;
	int status;

	for (const std::string &arg : argv)
		args.push_back(const_cast<char *>(arg.c_str()));
	args.push_back(nullptr);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (posix_spawnp(&child, args[0], &actions, nullptr, args.data(), environ) != 0) {
		posix_spawn_file_actions_destroy(&actions);
		result.err = "cannot start " + argv[0];
		return result;
	}
	posix_spawn_file_actions_destroy(&actions);
	waitpid(child, &status, 0);
	result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	result.out = read_file(out_path);
	result.err = read_file(err_path);
	return result;
}

ProcessResult run_qvp(std::vector<std::string> args)
{
	args.insert(args.begin(), build_path("qvp"));
	return run_process(args);
}

void release_board(struct machine *machine)
{
	platform_teardown(machine);
	free(machine->models);
	free(machine->fdt);
	free(machine->board_source);
	event_queue_destroy(machine->events);
	bus_destroy(machine->bus);
}

GuestRun run_guest(const std::string &firmware_path, const GuestOptions &options)
{
	TempDir dir;
	GuestRun run;
	std::string console_path = dir.path("console"), platform = build_path("platforms/virt.dtb");
	FILE *console = fopen(console_path.c_str(), "w");
	struct machine_config config = {};

	config.platform_path = platform.c_str();
	config.firmware_path = firmware_path.c_str();
	config.raw_firmware = options.raw;
	config.raw_address = 0x40080000;
	config.backend = BACKEND_ISS;
	config.quantum = options.quantum;
	config.timeout = options.timeout;
	config.start_el2 = options.start_el2;
	config.console = console;
	struct machine *machine = machine_create(&config);
	if (!machine) {
		run.error = error_message();
		fclose(console);
		return run;
	}
	run.cause = machine_run(machine);
	run.error = error_message();
	run.exit_code = machine->exit_code;
	run.time = machine->now;
	run.stats = machine->stats;
	if (machine->cpu->ops->diagnose && machine->cpu->ops->diagnose(machine->cpu, &machine->image))
		run.diagnosis = machine->cpu->ops->diagnose(machine->cpu, &machine->image);
	machine_destroy(machine);
	fclose(console);
	run.console = read_file(console_path);
	return run;
}

const char *const qemu_missing = "qemu-system-aarch64 is not installed (./bootstrap.sh installs qemu-system-arm)";

QemuRun run_qemu_virt(const std::string &firmware_path, const QemuOptions &options)
{
	QemuRun run;
	if (access("/usr/bin/qemu-system-aarch64", X_OK) != 0)
		return run;
	std::string command = "exec timeout " + std::to_string(options.timeout_seconds) +
			      " qemu-system-aarch64 -M virt -cpu cortex-a57 -nic none -display none -monitor none"
			      " -serial stdio";
	for (const std::string &argument : options.extra)
		command += " '" + argument + "'";
	command += std::string(options.bios ? " -bios '" : " -kernel '") + firmware_path + "' < '" + (options.input.empty() ? "/dev/null" : options.input) + "'";
	ProcessResult qemu = run_process({ "sh", "-c", command });
	run.available = true;
	run.status = qemu.status;
	run.err = qemu.err;
	for (char c : qemu.out)
		if (c != '\r')
			run.console += c;
	return run;
}

BackgroundQvp::~BackgroundQvp()
{
	if (child_ > 0) {
		kill(child_, SIGKILL);
		waitpid(child_, nullptr, 0);
	}
}

bool BackgroundQvp::start(const std::vector<std::string> &args, const std::string &said)
{
	std::vector<std::string> argv = { build_path("qvp") };
	argv.insert(argv.end(), args.begin(), args.end());
	child_ = fork();
	if (child_ == 0) {
		std::vector<char *> c_argv;
		for (auto &arg : argv)
			c_argv.push_back(const_cast<char *>(arg.c_str()));
		c_argv.push_back(nullptr);
		int null = open("/dev/null", O_RDONLY);
		int out = open(dir_.path("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = open(dir_.path("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(null, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(c_argv[0], c_argv.data());
		_exit(127);
	}
	for (int i = 0; i < 2000; i++) {
		std::string text = read_file(dir_.path("err"));
		size_t at = text.find(said);
		if (at != std::string::npos && text.find_first_not_of("0123456789", at + said.size()) != std::string::npos &&
		    text.find_first_not_of("0123456789", at + said.size()) > at + said.size()) {
			port = std::stoi(text.substr(at + said.size()));
			return true;
		}
		usleep(10000);
	}
	return false;
}

int BackgroundQvp::wait_exit()
{
	int status = 0;
	if (waitpid(child_, &status, 0) != child_)
		return -1;
	child_ = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool BackgroundQvp::running()
{
	return child_ > 0 && waitpid(child_, nullptr, WNOHANG) == 0;
}

std::string BackgroundQvp::out() const
{
	return read_file(dir_.path("out"));
}

std::string BackgroundQvp::err() const
{
	return read_file(dir_.path("err"));
}

int connect_local(int port)
{
	sockaddr_in address = {};
	address.sin_family = AF_INET;
	address.sin_port = htons(static_cast<uint16_t>(port));
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int client = socket(AF_INET, SOCK_STREAM, 0);
	if (client >= 0 && connect(client, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
		close(client);
		return -1;
	}
	return client;
}

std::string type_slowly(int client, const std::vector<std::string> &pieces, unsigned pause_us)
{
	std::string received;
	char buffer[256];
	for (const std::string &piece : pieces) {
		usleep(pause_us);
		if (send(client, piece.data(), piece.size(), 0) != ssize_t(piece.size()))
			break;
	}
	usleep(pause_us);
	shutdown(client, SHUT_WR);
	struct pollfd p = { client, POLLIN, 0 };
	while (poll(&p, 1, 20000) > 0) {
		ssize_t got = recv(client, buffer, sizeof(buffer), 0);
		if (got <= 0)
			break;
		received.append(buffer, size_t(got));
	}
	close(client);
	return received;
}

} // namespace qvp_test
