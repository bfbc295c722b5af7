#include "comparator/verify/verify.h"
