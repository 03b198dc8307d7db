/* confab-chat-recorder.h: saves a streamed reply as it arrives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-chat-stream.h"
#include "confab-conversation.h"
#include "confab-history-store.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_RECORDER (confab_chat_recorder_get_type ())

G_DECLARE_FINAL_TYPE (ConfabChatRecorder, confab_chat_recorder, CONFAB, CHAT_RECORDER, GObject)

ConfabChatRecorder *confab_chat_recorder_new            (ConfabHistoryStore  *store,
                                                         ConfabConversation  *conversation);
ConfabConversation *confab_chat_recorder_get_conversation (ConfabChatRecorder *self);
ConfabMessage      *confab_chat_recorder_get_reply      (ConfabChatRecorder  *self);
gboolean            confab_chat_recorder_get_saved      (ConfabChatRecorder  *self);
void                confab_chat_recorder_run_async      (ConfabChatRecorder  *self,
                                                         ConfabChatStream    *stream,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean            confab_chat_recorder_run_finish     (ConfabChatRecorder  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
