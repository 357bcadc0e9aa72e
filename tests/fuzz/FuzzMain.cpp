// FuzzMain: runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer. With it,
// every compiler builds the targets, and CTest replays the seed corpus and the inputs of crashes
// found earlier (tests/fuzz/regressions) as ordinary regression tests, under the sanitizers too.
//
//   fuzz_reply_parser FILE_OR_DIR...
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void runFile(const std::filesystem::path& path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) throw std::runtime_error("cannot read " + path.string());
	std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

} // namespace

int main(int argc, char** argv)
{
	std::size_t inputs = 0;
	try
	{
		for (int i = 1; i < argc; ++i)
		{
			std::filesystem::path arg(argv[i]);
			if (!std::filesystem::is_directory(arg))
			{
				runFile(arg);
				++inputs;
				continue;
			}
			for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
			{
				if (!entry.is_regular_file()) continue;
				runFile(entry.path());
				++inputs;
			}
		}
	}
	catch (const std::exception& e)
	{
		std::cerr << argv[0] << ": " << e.what() << "\n";
		return 2;
	}
	if (inputs == 0)
	{
		std::cerr << argv[0] << ": no inputs\n";
		return 2;
	}
	std::cout << argv[0] << ": " << inputs << " inputs ran\n";
	return 0;
}
