/* confab-anthropic-stream-parser.h: Messages API event streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider-info.h"
#include "confab-stream-parser.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_ANTHROPIC_STREAM_PARSER (confab_anthropic_stream_parser_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAnthropicStreamParser, confab_anthropic_stream_parser, CONFAB, ANTHROPIC_STREAM_PARSER, ConfabStreamParser)

ConfabStreamParser *confab_anthropic_stream_parser_new (const ConfabProviderInfo *info);

G_END_DECLS
