/* confab-history-export.h: the history as JSON and Markdown files
 *
 * The JSON format is documented in docs/history-format.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_HISTORY_EXPORT_FORMAT  "confab-history"
#define CONFAB_HISTORY_EXPORT_VERSION 1

char      *confab_history_format_time         (gint64              us);
JsonNode  *confab_history_export_conversation (ConfabConversation *conversation);
JsonNode  *confab_history_export_json         (GPtrArray          *conversations);
char      *confab_history_export_markdown     (ConfabConversation *conversation);
GPtrArray *confab_history_import_parse        (const char         *data,
                                               gssize              length,
                                               GError            **error);

G_END_DECLS
