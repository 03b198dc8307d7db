/* confab-ollama-stream-parser.h: /api/chat NDJSON streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider-info.h"
#include "confab-stream-parser.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_OLLAMA_STREAM_PARSER (confab_ollama_stream_parser_get_type ())

G_DECLARE_FINAL_TYPE (ConfabOllamaStreamParser, confab_ollama_stream_parser, CONFAB, OLLAMA_STREAM_PARSER, ConfabStreamParser)

ConfabStreamParser *confab_ollama_stream_parser_new (const ConfabProviderInfo *info);

G_END_DECLS
