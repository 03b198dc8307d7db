/* confab-conversation-settings.h: system prompt, temperature, max tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_SETTINGS (confab_conversation_settings_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationSettings, confab_conversation_settings, CONFAB, CONVERSATION_SETTINGS, GtkPopover)

GtkWidget          *confab_conversation_settings_new              (void);
ConfabConversation *confab_conversation_settings_get_conversation (ConfabConversationSettings *self);
void                confab_conversation_settings_set_conversation (ConfabConversationSettings *self,
                                                                   ConfabConversation         *conversation);

G_END_DECLS
