/* confab-openai-stream-parser.h: chat.completion.chunk SSE streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider-info.h"
#include "confab-stream-parser.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_OPENAI_STREAM_PARSER (confab_openai_stream_parser_get_type ())

G_DECLARE_FINAL_TYPE (ConfabOpenaiStreamParser, confab_openai_stream_parser, CONFAB, OPENAI_STREAM_PARSER, ConfabStreamParser)

ConfabStreamParser *confab_openai_stream_parser_new (const ConfabProviderInfo *info);

G_END_DECLS
