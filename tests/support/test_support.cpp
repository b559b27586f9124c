#include "test_support.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

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

} // namespace qvp_test
