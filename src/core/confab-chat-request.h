/* confab-chat-request.h: what one exchange sends: model, settings, history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-conversation.h"
#include "confab-message.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_REQUEST (confab_chat_request_get_type ())

G_DECLARE_FINAL_TYPE (ConfabChatRequest, confab_chat_request, CONFAB, CHAT_REQUEST, GObject)

ConfabChatRequest *confab_chat_request_new                   (const char         *model);
ConfabChatRequest *confab_chat_request_new_for_conversation  (ConfabConversation *conversation,
                                                              const char         *model,
                                                              guint               n_messages);
const char        *confab_chat_request_get_model             (ConfabChatRequest  *self);
void               confab_chat_request_set_model             (ConfabChatRequest  *self,
                                                              const char         *model);
const char        *confab_chat_request_get_system_prompt     (ConfabChatRequest  *self);
void               confab_chat_request_set_system_prompt     (ConfabChatRequest  *self,
                                                              const char         *system_prompt);
double             confab_chat_request_get_temperature       (ConfabChatRequest  *self);
void               confab_chat_request_set_temperature       (ConfabChatRequest  *self,
                                                              double              temperature);
gint64             confab_chat_request_get_max_tokens        (ConfabChatRequest  *self);
void               confab_chat_request_set_max_tokens        (ConfabChatRequest  *self,
                                                              gint64              max_tokens);
void               confab_chat_request_add_message           (ConfabChatRequest  *self,
                                                              ConfabRole          role,
                                                              const char         *text);
guint              confab_chat_request_get_n_messages        (ConfabChatRequest  *self);
ConfabRole         confab_chat_request_get_message_role      (ConfabChatRequest  *self,
                                                              guint               position);
const char        *confab_chat_request_get_message_text      (ConfabChatRequest  *self,
                                                              guint               position);

G_END_DECLS
