// Test helpers: temporary files, child processes, and the machine's paths.
#pragma once

#include <string>
#include <vector>

namespace qvp_test {

struct ProcessResult {
	int status = -1; // exit status, or 128 + signal number if it was killed
	std::string out;
	std::string err;
};

// Runs argv[0] with the arguments, capturing standard output and error.
ProcessResult run_process(const std::vector<std::string> &argv);

std::string build_path(const std::string &relative); // inside the build directory
std::string data_path(const std::string &relative);  // inside tests/data

// A fresh directory removed when the object goes away.
class TempDir {
public:
	TempDir();
	~TempDir();
	std::string path(const std::string &name) const;

private:
	std::string dir_;
};

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &contents);

} // namespace qvp_test
