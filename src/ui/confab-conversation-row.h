/* confab-conversation-row.h: a conversation in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_ROW (confab_conversation_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationRow, confab_conversation_row, CONFAB, CONVERSATION_ROW, GtkWidget)

GtkWidget  *confab_conversation_row_new              (void);
GObject    *confab_conversation_row_get_item         (ConfabConversationRow *self);
void        confab_conversation_row_set_item         (ConfabConversationRow *self,
                                                      GObject               *item);
const char *confab_conversation_row_get_conversation_id (ConfabConversationRow *self);
char       *confab_conversation_row_format_time      (gint64                 time_us,
                                                      gint64                 now_us);

G_END_DECLS
