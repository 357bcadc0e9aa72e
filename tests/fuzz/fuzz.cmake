# Fuzz targets (tests/fuzz/fuzz_*.cpp), each built with the engine sources it exercises.
#
# By default each is linked with FuzzMain.cpp, which runs it over the seed corpus
# (tests/fuzz/corpus/<target>) and the inputs of crashes found earlier (tests/fuzz/regressions/
# <target>): a CTest test "fuzz corpus: <target>" with any compiler, under the sanitizers too.
# With -DSMTPX_FUZZ=ON (clang only) they are libFuzzer binaries instead, instrumented for
# coverage, AddressSanitizer and UndefinedBehaviorSanitizer: .ci/fuzz.sh runs them.
option(SMTPX_FUZZ "Build the fuzz targets as libFuzzer binaries (needs clang)" OFF)
if(SMTPX_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SMTPX_FUZZ=ON needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

set(SMTPX_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SMTPX_SRC ${PROJECT_SOURCE_DIR}/src)

# smtpx_fuzz_target(NAME SOURCES...): fuzz_NAME from tests/fuzz/fuzz_NAME.cpp and SOURCES.
function(smtpx_fuzz_target name)
  set(target fuzz_${name})
  add_executable(${target} ${SMTPX_FUZZ_DIR}/${target}.cpp ${ARGN})
  target_include_directories(${target} PRIVATE ${SMTPX_SRC} ${SMTPX_FUZZ_DIR})
  if(SMTPX_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -g)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_sources(${target} PRIVATE ${SMTPX_FUZZ_DIR}/FuzzMain.cpp)
    set(inputs ${SMTPX_FUZZ_DIR}/corpus/${name})
    if(EXISTS ${SMTPX_FUZZ_DIR}/regressions/${name})
      list(APPEND inputs ${SMTPX_FUZZ_DIR}/regressions/${name})
    endif()
    add_test(NAME "fuzz corpus: ${name}" COMMAND ${target} ${inputs})
  endif()
endfunction()

smtpx_fuzz_target(reply_parser ${SMTPX_SRC}/smtp/ReplyParser.cpp ${SMTPX_SRC}/smtp/Reply.cpp)
smtpx_fuzz_target(line_reader ${SMTPX_SRC}/net/LineReader.cpp)
smtpx_fuzz_target(data_encoder ${SMTPX_SRC}/smtp/DataEncoder.cpp)
smtpx_fuzz_target(transcript_import
  ${SMTPX_SRC}/replay/Importer.cpp ${SMTPX_SRC}/replay/CanonicalReader.cpp ${SMTPX_SRC}/replay/CanonicalWriter.cpp
  ${SMTPX_SRC}/replay/DialogueBuilder.cpp ${SMTPX_SRC}/replay/LogReader.cpp ${SMTPX_SRC}/replay/TelnetReader.cpp
  ${SMTPX_SRC}/replay/ReplyMatcher.cpp ${SMTPX_SRC}/replay/Syntax.cpp ${SMTPX_SRC}/replay/Template.cpp
  ${SMTPX_SRC}/replay/Transcript.cpp ${SMTPX_SRC}/replay/ImportError.cpp
  ${SMTPX_SRC}/smtp/ReplyParser.cpp ${SMTPX_SRC}/smtp/Reply.cpp ${SMTPX_SRC}/smtp/ReplySpec.cpp ${SMTPX_SRC}/lua/Codec.cpp)
target_link_libraries(fuzz_transcript_import PRIVATE Poco::Foundation Poco::Net Poco::Crypto)
