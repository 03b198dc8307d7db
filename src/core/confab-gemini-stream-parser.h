/* confab-gemini-stream-parser.h: streamGenerateContent?alt=sse responses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider-info.h"
#include "confab-stream-parser.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_GEMINI_STREAM_PARSER (confab_gemini_stream_parser_get_type ())

G_DECLARE_FINAL_TYPE (ConfabGeminiStreamParser, confab_gemini_stream_parser, CONFAB, GEMINI_STREAM_PARSER, ConfabStreamParser)

ConfabStreamParser *confab_gemini_stream_parser_new (const ConfabProviderInfo *info);

G_END_DECLS
