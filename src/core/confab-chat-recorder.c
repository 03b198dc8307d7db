/* confab-chat-recorder.c
 *
 * Before the request goes out, the conversation (with the user's new
 * message) and an empty assistant reply in state "streaming" are saved in
 * one transaction, so neither the prompt nor the fact that a reply was
 * asked for can be lost. While the reply streams, its text and reasoning
 * grow in memory and are written at most FLUSH_INTERVAL_MS after they
 * change; when the stream ends, the final state is written. A crash loses
 * at most the last half second, and the next start of any Confab program
 * turns the row from "streaming" into "interrupted".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-chat-recorder.h"
#include "confab-error.h"

#define FLUSH_INTERVAL_MS 500

/* The reply is held whole in memory until it is saved, so a runaway one
 * (a server streaming 100 MB) would make every program that records it
 * grow without bound: past this size the rest still streams to the user
 * but is no longer recorded (tests/test-faults.c, /faults/huge-reply). */
#define MAX_RECORDED_SIZE (8 * 1024 * 1024)

struct _ConfabChatRecorder
{
  GObject             parent_instance;

  ConfabHistoryStore *store;
  ConfabConversation *conversation;
  ConfabMessage      *reply;

  /* While running */
  GTask              *task;
  ConfabChatStream   *stream;
  GError             *stream_error;
  GSource            *flush_source;
  guint               dirty : 1;
  guint               flushing : 1;
  /* The stream ended while a flush was in flight. */
  guint               final_due : 1;

  /* The conversation and the reply have rows. */
  guint               saved : 1;
  guint               truncated : 1;
  gsize               recorded_size;
};

G_DEFINE_FINAL_TYPE (ConfabChatRecorder, confab_chat_recorder, G_TYPE_OBJECT)

static void
confab_chat_recorder_finalize (GObject *object)
{
  ConfabChatRecorder *self = (ConfabChatRecorder *)object;

  g_assert (self->task == NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->conversation);
  g_clear_object (&self->reply);

  G_OBJECT_CLASS (confab_chat_recorder_parent_class)->finalize (object);
}

static void
confab_chat_recorder_class_init (ConfabChatRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_chat_recorder_finalize;
}

static void
confab_chat_recorder_init (ConfabChatRecorder *self)
{
}

/* @conversation ends with the user's new message, not yet saved. */
ConfabChatRecorder *
confab_chat_recorder_new (ConfabHistoryStore *store,
                          ConfabConversation *conversation)
{
  ConfabChatRecorder *self;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (store), NULL);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  self = g_object_new (CONFAB_TYPE_CHAT_RECORDER, NULL);
  self->store = g_object_ref (store);
  self->conversation = g_object_ref (conversation);
  return self;
}

ConfabConversation *
confab_chat_recorder_get_conversation (ConfabChatRecorder *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RECORDER (self), NULL);
  return self->conversation;
}

/* The assistant message; NULL before the first run. */
ConfabMessage *
confab_chat_recorder_get_reply (ConfabChatRecorder *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RECORDER (self), NULL);
  return self->reply;
}

/* Whether the conversation is in the history. */
gboolean
confab_chat_recorder_get_saved (ConfabChatRecorder *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RECORDER (self), FALSE);
  return self->saved;
}

/* Preparing the reply */

static void
derive_title (ConfabChatRecorder *self)
{
  const char *title = confab_conversation_get_title (self->conversation);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversation));

  if (title != NULL && *title != '\0')
    return;
  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *message = confab_conversation_get_message (self->conversation, i);

      if (confab_message_get_role (message) == CONFAB_ROLE_USER)
        {
          g_autofree char *derived =
            confab_conversation_derive_title (confab_message_get_text (message));
          confab_conversation_set_title (self->conversation, derived);
          return;
        }
    }
}

static void
reset_reply (ConfabMessage *reply)
{
  confab_message_set_text (reply, NULL);
  confab_message_set_reasoning (reply, NULL);
  confab_message_set_error (reply, NULL, NULL);
  confab_message_set_finish_reason (reply, NULL);
  confab_message_set_input_tokens (reply, -1);
  confab_message_set_output_tokens (reply, -1);
  confab_message_set_ttft (reply, -1);
  confab_message_set_duration (reply, -1);
}

/* A first run adds the reply; another one (after a failover) starts it
 * over with the account and model that now answer. */
static void
prepare_reply (ConfabChatRecorder *self,
               ConfabChatStream   *stream)
{
  ConfabAccount *account = confab_chat_stream_get_account (stream);
  ConfabChatRequest *request = confab_chat_stream_get_request (stream);

  if (self->reply == NULL)
    {
      self->reply = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
      confab_conversation_append (self->conversation, self->reply);
      derive_title (self);
    }
  else
    reset_reply (self->reply);

  confab_message_set_state (self->reply, CONFAB_MESSAGE_STREAMING);
  confab_message_set_account_id (self->reply, confab_account_get_id (account));
  confab_message_set_provider_id (self->reply, confab_account_get_provider_id (account));
  confab_message_set_model (self->reply, confab_chat_request_get_model (request));
  confab_conversation_set_updated (self->conversation, g_get_real_time ());
}

/* Ending the run */

static void
finish_task (ConfabChatRecorder *self,
             GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_object (&self->stream);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_final_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ConfabChatRecorder *self = user_data;
  g_autoptr(GError) error = NULL;
  GError *stream_error = g_steal_pointer (&self->stream_error);

  /* What went wrong with the provider matters more to the caller; a
   * reply left "streaming" becomes "interrupted" at the next start. */
  if (!confab_history_store_update_message_finish (self->store, result, &error) &&
      stream_error == NULL)
    {
      finish_task (self, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    g_debug ("Could not save the end of a failed reply: %s", error->message);
  finish_task (self, stream_error);
}

static ConfabMessageState
final_state (ConfabMessage *reply,
             const GError  *error)
{
  if (error == NULL)
    return CONFAB_MESSAGE_COMPLETE;
  if (g_error_matches (error, CONFAB_ERROR, CONFAB_ERROR_CANCELLED))
    return CONFAB_MESSAGE_CANCELLED;
  if (*confab_message_get_text (reply) != '\0')
    return CONFAB_MESSAGE_INTERRUPTED;
  return CONFAB_MESSAGE_FAILED;
}

static void
complete_reply (ConfabChatRecorder *self,
                const GError       *error)
{
  ConfabChatStream *stream = self->stream;

  confab_message_set_finish_reason (self->reply, confab_chat_stream_get_finish_reason (stream));
  confab_message_set_input_tokens (self->reply, confab_chat_stream_get_input_tokens (stream));
  confab_message_set_output_tokens (self->reply, confab_chat_stream_get_output_tokens (stream));
  confab_message_set_ttft (self->reply, confab_chat_stream_get_ttft (stream));
  confab_message_set_duration (self->reply, confab_chat_stream_get_duration (stream));
  if (error != NULL)
    confab_message_set_error (self->reply,
                              confab_error_code_to_string (confab_error_code_from_error (error)),
                              error->message);
  confab_message_set_state (self->reply, final_state (self->reply, error));
  confab_conversation_set_updated (self->conversation, g_get_real_time ());
}

static void
stop_flushing (ConfabChatRecorder *self)
{
  if (self->flush_source != NULL)
    g_source_destroy (self->flush_source);
  g_clear_pointer (&self->flush_source, g_source_unref);
  self->dirty = FALSE;
}

static void
save_final (ConfabChatRecorder *self)
{
  self->final_due = FALSE;
  confab_history_store_update_message_async (self->store, self->conversation, self->reply,
                                             NULL, on_final_saved, self);
}

static void
on_stream_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ConfabChatRecorder *self = user_data;

  confab_chat_stream_run_finish (self->stream, result, &self->stream_error);
  g_signal_handlers_disconnect_by_data (self->stream, self);
  stop_flushing (self);
  complete_reply (self, self->stream_error);

  /* Each write holds a copy of the reply's text until it is done: once a
   * flush in flight is written, on_flushed() saves the final state, so
   * that a huge reply is not held three times at once. */
  if (self->flushing)
    self->final_due = TRUE;
  else
    save_final (self);
}

/* Streaming */

static void schedule_flush (ConfabChatRecorder *self);

static void
on_flushed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ConfabChatRecorder) self = user_data;
  g_autoptr(GError) error = NULL;

  self->flushing = FALSE;
  /* The final write will try again and report what still fails. */
  if (!confab_history_store_update_message_finish (self->store, result, &error))
    g_debug ("Could not save part of a streaming reply: %s", error->message);
  if (self->final_due)
    {
      save_final (self);
      return;
    }
  /* Deltas that came while this write was in flight. */
  if (self->dirty && self->task != NULL && self->flush_source == NULL)
    schedule_flush (self);
}

static gboolean
on_flush_due (gpointer user_data)
{
  ConfabChatRecorder *self = user_data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  /* A slow disk: on_flushed() schedules the next one rather than piling
   * writes up. */
  if (self->flushing)
    return G_SOURCE_REMOVE;

  self->dirty = FALSE;
  self->flushing = TRUE;
  confab_history_store_update_message_async (self->store, self->conversation, self->reply,
                                             NULL, on_flushed, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (ConfabChatRecorder *self)
{
  self->dirty = TRUE;
  if (self->flush_source != NULL)
    return;

  self->flush_source = g_timeout_source_new (FLUSH_INTERVAL_MS);
  g_source_set_callback (self->flush_source, on_flush_due, self, NULL);
  g_source_attach (self->flush_source, g_task_get_context (self->task));
}

/* Whether @text still fits under MAX_RECORDED_SIZE; the first time it
 * does not, the reply says where it was cut. */
static gboolean
record_more (ConfabChatRecorder *self,
             const char         *text)
{
  gsize len = strlen (text);

  if (self->recorded_size + len <= MAX_RECORDED_SIZE)
    {
      self->recorded_size += len;
      return TRUE;
    }
  if (!self->truncated)
    {
      self->truncated = TRUE;
      confab_message_append_text (self->reply,
                                  _("\n\n[Confab saved only the first 8 MiB of this reply.]"));
      schedule_flush (self);
    }
  return FALSE;
}

static void
on_text (ConfabChatStream   *stream,
         const char         *text,
         ConfabChatRecorder *self)
{
  if (!record_more (self, text))
    return;
  confab_message_append_text (self->reply, text);
  schedule_flush (self);
}

static void
on_reasoning (ConfabChatStream   *stream,
              const char         *text,
              ConfabChatRecorder *self)
{
  if (!record_more (self, text))
    return;
  confab_message_append_reasoning (self->reply, text);
  schedule_flush (self);
}

static void
on_usage (ConfabChatStream   *stream,
          gint64              input_tokens,
          gint64              output_tokens,
          ConfabChatRecorder *self)
{
  confab_message_set_input_tokens (self->reply, input_tokens);
  confab_message_set_output_tokens (self->reply, output_tokens);
}

static void
start_stream (ConfabChatRecorder *self)
{
  g_signal_connect (self->stream, "text", G_CALLBACK (on_text), self);
  g_signal_connect (self->stream, "reasoning", G_CALLBACK (on_reasoning), self);
  g_signal_connect (self->stream, "usage", G_CALLBACK (on_usage), self);
  confab_chat_stream_run_async (self->stream, g_task_get_cancellable (self->task),
                                on_stream_done, self);
}

/* Nothing was sent: the user's message stays in the conversation, and the
 * reply says why it never came. */
static void
fail_before_stream (ConfabChatRecorder *self,
                    GError             *error)
{
  confab_message_set_error (self->reply, "history", error->message);
  confab_message_set_state (self->reply, CONFAB_MESSAGE_FAILED);
  finish_task (self, error);
}

static void
on_reply_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ConfabChatRecorder *self = user_data;
  GError *error = NULL;
  gboolean ok;

  if (self->saved)
    ok = confab_history_store_update_message_finish (self->store, result, &error);
  else
    ok = confab_history_store_save_finish (self->store, result, &error);

  if (!ok)
    {
      fail_before_stream (self, error);
      return;
    }
  self->saved = TRUE;
  start_stream (self);
}

/**
 * confab_chat_recorder_run_async:
 *
 * Runs @stream, whose request was built from the conversation, and records
 * its reply. Completes once the final state is on disk. Run again with
 * another stream (a failover) to replace a reply that never started.
 * Errors are the stream's (CONFAB_ERROR), or CONFAB_HISTORY_ERROR when
 * the history could not be written, in which case nothing was sent.
 */
void
confab_chat_recorder_run_async (ConfabChatRecorder  *self,
                                ConfabChatStream    *stream,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_CHAT_RECORDER (self));
  g_return_if_fail (CONFAB_IS_CHAT_STREAM (stream));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, confab_chat_recorder_run_async);
  /* A stop still ends with the reply's state written. */
  g_task_set_check_cancellable (self->task, FALSE);
  self->stream = g_object_ref (stream);
  g_clear_error (&self->stream_error);

  prepare_reply (self, stream);
  if (self->saved)
    confab_history_store_update_message_async (self->store, self->conversation, self->reply,
                                               NULL, on_reply_saved, self);
  else
    confab_history_store_save_async (self->store, self->conversation, NULL,
                                     on_reply_saved, self);
}

gboolean
confab_chat_recorder_run_finish (ConfabChatRecorder  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RECORDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
