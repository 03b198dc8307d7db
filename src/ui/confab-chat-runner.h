/* confab-chat-runner.h: one reply of a conversation, streamed into it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-account.h"
#include "confab-conversation.h"
#include "confab-history-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_RUNNER (confab_chat_runner_get_type ())

G_DECLARE_FINAL_TYPE (ConfabChatRunner, confab_chat_runner, CONFAB, CHAT_RUNNER, GObject)

ConfabChatRunner   *confab_chat_runner_new              (ConfabConversation   *conversation,
                                                         ConfabAccount        *account,
                                                         const char           *model);
void                confab_chat_runner_set_history      (ConfabChatRunner     *self,
                                                         ConfabHistoryStore   *history);
void                confab_chat_runner_run_async        (ConfabChatRunner     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean            confab_chat_runner_run_finish       (ConfabChatRunner     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
ConfabConversation *confab_chat_runner_get_conversation (ConfabChatRunner     *self);
ConfabAccount      *confab_chat_runner_get_account      (ConfabChatRunner     *self);
ConfabMessage      *confab_chat_runner_get_reply        (ConfabChatRunner     *self);
void                confab_chat_runner_stop             (ConfabChatRunner     *self);

G_END_DECLS
