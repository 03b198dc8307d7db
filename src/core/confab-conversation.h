/* confab-conversation.h: a conversation, the list model of its messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-message.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION (confab_conversation_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversation, confab_conversation, CONFAB, CONVERSATION, GObject)

ConfabConversation *confab_conversation_new                (const char         *id);
const char         *confab_conversation_get_id             (ConfabConversation *self);
const char         *confab_conversation_get_title          (ConfabConversation *self);
void                confab_conversation_set_title          (ConfabConversation *self,
                                                            const char         *title);
gint64              confab_conversation_get_created        (ConfabConversation *self);
void                confab_conversation_set_created        (ConfabConversation *self,
                                                            gint64              created_us);
gint64              confab_conversation_get_updated        (ConfabConversation *self);
void                confab_conversation_set_updated        (ConfabConversation *self,
                                                            gint64              updated_us);
const char         *confab_conversation_get_account_id     (ConfabConversation *self);
void                confab_conversation_set_account_id     (ConfabConversation *self,
                                                            const char         *account_id);
const char         *confab_conversation_get_model          (ConfabConversation *self);
void                confab_conversation_set_model          (ConfabConversation *self,
                                                            const char         *model);
const char         *confab_conversation_get_system_prompt  (ConfabConversation *self);
void                confab_conversation_set_system_prompt  (ConfabConversation *self,
                                                            const char         *system_prompt);
double              confab_conversation_get_temperature    (ConfabConversation *self);
void                confab_conversation_set_temperature    (ConfabConversation *self,
                                                            double              temperature);
gint64              confab_conversation_get_max_tokens     (ConfabConversation *self);
void                confab_conversation_set_max_tokens     (ConfabConversation *self,
                                                            gint64              max_tokens);
void                confab_conversation_append             (ConfabConversation *self,
                                                            ConfabMessage      *message);
void                confab_conversation_remove             (ConfabConversation *self,
                                                            guint               position);
ConfabMessage      *confab_conversation_get_message        (ConfabConversation *self,
                                                            guint               position);
char               *confab_conversation_derive_title       (const char         *first_message);

G_END_DECLS
