/* confab-azure-stream-parser.h: Azure OpenAI's chunk stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-provider-info.h"
#include "confab-stream-parser.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_AZURE_STREAM_PARSER (confab_azure_stream_parser_get_type ())

G_DECLARE_FINAL_TYPE (ConfabAzureStreamParser, confab_azure_stream_parser, CONFAB, AZURE_STREAM_PARSER, ConfabStreamParser)

ConfabStreamParser *confab_azure_stream_parser_new (const ConfabProviderInfo *info);

G_END_DECLS
