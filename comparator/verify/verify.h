// STUB: to be replaced by the verifier stage.
#pragma once
#include "btf/btf.h"
namespace btfcheck::verify {}
