/* confab-chat-stream.h: one streamed exchange with a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-account.h"
#include "confab-chat-request.h"
#include "confab-provider.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CHAT_STREAM (confab_chat_stream_get_type ())

G_DECLARE_FINAL_TYPE (ConfabChatStream, confab_chat_stream, CONFAB, CHAT_STREAM, GObject)

ConfabChatStream  *confab_chat_stream_new                  (ConfabAccount      *account,
                                                            ConfabProvider     *provider,
                                                            ConfabChatRequest  *request);
void               confab_chat_stream_run_async            (ConfabChatStream   *self,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
gboolean           confab_chat_stream_run_finish           (ConfabChatStream   *self,
                                                            GAsyncResult       *result,
                                                            GError            **error);
ConfabAccount     *confab_chat_stream_get_account          (ConfabChatStream   *self);
ConfabChatRequest *confab_chat_stream_get_request          (ConfabChatStream   *self);
void               confab_chat_stream_set_timeouts         (ConfabChatStream   *self,
                                                            guint               connect_ms,
                                                            guint               first_byte_ms,
                                                            guint               stall_ms);
void               confab_chat_stream_set_max_retries      (ConfabChatStream   *self,
                                                            guint               max_retries);
gboolean           confab_chat_stream_get_has_streamed     (ConfabChatStream   *self);
guint              confab_chat_stream_get_status           (ConfabChatStream   *self);
const char        *confab_chat_stream_get_finish_reason    (ConfabChatStream   *self);
gint64             confab_chat_stream_get_input_tokens     (ConfabChatStream   *self);
gint64             confab_chat_stream_get_output_tokens    (ConfabChatStream   *self);
gint64             confab_chat_stream_get_ttft             (ConfabChatStream   *self);
gint64             confab_chat_stream_get_duration         (ConfabChatStream   *self);

G_END_DECLS
