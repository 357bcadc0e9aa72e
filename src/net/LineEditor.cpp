#include "net/LineEditor.h"

#include "net/ModuleLoader.h"

namespace smtpx::net {

std::unique_ptr<LineEditor> LineEditor::open()
{
	// Loaded once per process; the console is one per process too.
	static auto newEditor = reinterpret_cast<decltype(&smtpx_new_line_editor)>(
		ModuleLoader::entry("libsmtpx_editline.so", "smtpx_new_line_editor", SMTPX_BUILD_EDITLINE_MODULE));
	return std::unique_ptr<LineEditor>(newEditor());
}

} // namespace smtpx::net
