/* fuzz-stream.h: the stream parser targets' shared body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider-info.h"
#include "fuzz-common.h"

G_BEGIN_DECLS

int  confab_fuzz_stream_parser (ConfabProtocol  protocol,
                                const uint8_t  *data,
                                size_t          size);

G_END_DECLS
