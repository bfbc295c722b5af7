// Plain names: what a producer sees of an input. Tools hand file names on to shells (pahole
// -J runs `llvm-objcopy --add-section .BTF=TMP NAME` through system(), NAME unquoted, in 1.24
// and master alike), so a name taken from the user would run as a command. Inside its work
// directory a recipe therefore gives each file of the input a generated name made of
// [A-Za-z0-9._-] only, never derived from user text, and runs every step in that directory
// with relative names, so neither the input's path nor the work directory's reaches a tool.
// The user's names stay in results, reports and errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "btf/error.h"
#include "encoder/producers/producers.h"

namespace btfcheck::producers {

struct PlainNames {
  std::vector<std::string> sources;        // unit0.c, unit1.c, ... (C cases)
  std::vector<std::string> include_dirs;   // unit0.inc, ...: source i's own directory, so its
                                           // #include "..." finds what it found in place
  std::string elf;                         // input.elf (ELF inputs)
  std::string base;                        // base.btf (inputs with a split-BTF base)
};

// The plain names of `in`'s files: they depend on how many files of each kind it has, on
// nothing else.
PlainNames plain_names(const Input& in);

// Makes each plain name in `workdir` (an existing directory) refer to the user's file: a hard
// link where the file system allows it, else a symbolic link (a file on another file system,
// /sys/kernel/btf/vmlinux). Tools open the name they are given and none prints a link's
// target (pahole 1.24 -J on a link runs objcopy on the link's own name, checked); recipes only
// read the input's files, never write them. Include directories are symbolic links.
std::optional<Error> stage(const Input& in, const PlainNames& names, const std::string& workdir);

// True when `arg` holds no character a shell treats specially: [A-Za-z0-9._,=+:/@-] only,
// and not empty. Every argument after the program, in every step of a recipe, must be plain.
bool plain_argument(const std::string& arg);

}  // namespace btfcheck::producers
