// Fuzz target: the transcript importers (telnet paste, RFC dialogue, swaks log, smtpx transcript,
// canonical form). The first input byte picks the format (or detection) and strictness; the rest
// is the file. Anything may be thrown as an ImportError naming lines inside the input; nothing
// else may escape, and the canonical text of what imported must import again to the same text.
#include "FuzzCheck.h"
#include "replay/CanonicalWriter.h"
#include "replay/Importer.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace smtpx::replay;

constexpr Format kFormats[] = {Format::Canonical, Format::Rfc, Format::Swaks, Format::Smtpx, Format::Telnet};

void checkLines(const ImportError& e, std::size_t lines)
{
	for (const auto& problem : e.problems())
	{
		FUZZ_CHECK(problem.line <= lines);
		FUZZ_CHECK(!problem.message.empty());
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 1) return 0;
	ImportOptions options;
	if (data[0] % 6 < 5) options.format = kFormats[data[0] % 6];
	options.strict = data[0] & 0x80;
	std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
	const std::size_t lines = splitLines(text).size() + 1;
	std::string canonical;
	try
	{
		canonical = writeCanonical(importText(text, options).transcript);
	}
	catch (const ImportError& e)
	{
		checkLines(e, lines);
		return 0;
	}
	// What smtpx writes, it reads back unchanged.
	ImportOptions again;
	again.format = Format::Canonical;
	try
	{
		FUZZ_CHECK(writeCanonical(importText(canonical, again).transcript) == canonical);
	}
	catch (const ImportError& e)
	{
		std::fprintf(stderr, "the canonical form does not import: %s\n---\n%s---\n", e.what(), canonical.c_str());
		FUZZ_CHECK(!"canonical output imports again");
	}
	return 0;
}
