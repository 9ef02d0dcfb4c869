#ifndef IDV_CLIBPQ_SHIM_H
#define IDV_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
