/* confab-chat-runner.c
 *
 * Appends the assistant message to the conversation as soon as the
 * request starts (state "streaming"), so the view has a row to show the
 * progress in, streams text and reasoning into it, and leaves it in a
 * final state that says what happened: complete; interrupted (the stream
 * broke after some text, which is kept); failed (nothing came, the error
 * is kept); cancelled (the user stopped it).
 *
 * With the history open, ConfabChatRecorder does this and keeps every
 * step on disk. Without it (the database could not be opened) the reply
 * lives in memory only, and the window has told the user so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-recorder.h"
#include "confab-chat-runner.h"
#include "confab-chat-stream.h"
#include "confab-error.h"

struct _ConfabChatRunner
{
  GObject             parent_instance;

  ConfabConversation *conversation;
  ConfabAccount      *account;
  char               *model;
  ConfabHistoryStore *history;
  ConfabChatRecorder *recorder;
  ConfabChatStream   *stream;
  ConfabMessage      *reply;
  GCancellable       *cancellable;
};

G_DEFINE_FINAL_TYPE (ConfabChatRunner, confab_chat_runner, G_TYPE_OBJECT)

static void
confab_chat_runner_dispose (GObject *object)
{
  ConfabChatRunner *self = (ConfabChatRunner *)object;

  if (self->stream != NULL)
    g_signal_handlers_disconnect_by_data (self->stream, self);
  g_clear_object (&self->stream);
  g_clear_object (&self->recorder);
  g_clear_object (&self->history);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->reply);
  g_clear_object (&self->account);
  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (confab_chat_runner_parent_class)->dispose (object);
}

static void
confab_chat_runner_finalize (GObject *object)
{
  ConfabChatRunner *self = (ConfabChatRunner *)object;

  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (confab_chat_runner_parent_class)->finalize (object);
}

static void
confab_chat_runner_class_init (ConfabChatRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_chat_runner_dispose;
  object_class->finalize = confab_chat_runner_finalize;
}

static void
confab_chat_runner_init (ConfabChatRunner *self)
{
}

/**
 * confab_chat_runner_new:
 * @conversation: ends with the user's message to answer
 * @account: who answers
 * @model: (nullable): which model; %NULL for the account's default
 */
ConfabChatRunner *
confab_chat_runner_new (ConfabConversation *conversation,
                        ConfabAccount      *account,
                        const char         *model)
{
  ConfabChatRunner *self;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);

  self = g_object_new (CONFAB_TYPE_CHAT_RUNNER, NULL);
  self->conversation = g_object_ref (conversation);
  self->account = g_object_ref (account);
  self->model = g_strdup (model != NULL ? model : confab_account_get_model (account));
  return self;
}

/**
 * confab_chat_runner_set_history:
 * @history: (nullable): where to keep the conversation
 *
 * Call before running.
 */
void
confab_chat_runner_set_history (ConfabChatRunner   *self,
                                ConfabHistoryStore *history)
{
  g_return_if_fail (CONFAB_IS_CHAT_RUNNER (self));
  g_return_if_fail (history == NULL || CONFAB_IS_HISTORY_STORE (history));
  g_return_if_fail (self->reply == NULL);

  g_set_object (&self->history, history);
}

/* In memory only, without the history */

static void
on_text (ConfabChatStream *stream,
         const char       *text,
         ConfabChatRunner *self)
{
  confab_message_append_text (self->reply, text);
}

static void
on_reasoning (ConfabChatStream *stream,
              const char       *text,
              ConfabChatRunner *self)
{
  confab_message_append_reasoning (self->reply, text);
}

static void
on_usage (ConfabChatStream *stream,
          gint64            input_tokens,
          gint64            output_tokens,
          ConfabChatRunner *self)
{
  confab_message_set_input_tokens (self->reply, input_tokens);
  confab_message_set_output_tokens (self->reply, output_tokens);
}

static void
set_error (ConfabMessage *reply,
           const GError  *error)
{
  confab_message_set_error (reply,
                            confab_error_code_to_string (confab_error_code_from_error (error)),
                            error->message);
}

static void
finish_reply (ConfabChatRunner *self,
              const GError     *error)
{
  ConfabChatStream *stream = self->stream;
  ConfabMessageState state;

  confab_message_set_ttft (self->reply, confab_chat_stream_get_ttft (stream));
  confab_message_set_duration (self->reply, confab_chat_stream_get_duration (stream));
  confab_message_set_finish_reason (self->reply, confab_chat_stream_get_finish_reason (stream));
  confab_message_set_input_tokens (self->reply, confab_chat_stream_get_input_tokens (stream));
  confab_message_set_output_tokens (self->reply, confab_chat_stream_get_output_tokens (stream));

  if (error == NULL)
    state = CONFAB_MESSAGE_COMPLETE;
  else if (confab_error_code_from_error (error) == CONFAB_ERROR_CANCELLED)
    state = CONFAB_MESSAGE_CANCELLED;
  else if (*confab_message_get_text (self->reply) != '\0')
    state = CONFAB_MESSAGE_INTERRUPTED;
  else
    state = CONFAB_MESSAGE_FAILED;

  /* The error first: the state change is what rows react to. */
  if (error != NULL)
    set_error (self->reply, error);
  confab_message_set_state (self->reply, state);
}

static void
on_stream_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfabChatRunner *self = g_task_get_source_object (task);
  GError *error = NULL;

  confab_chat_stream_run_finish (self->stream, result, &error);
  g_signal_handlers_disconnect_by_data (self->stream, self);
  finish_reply (self, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_in_memory (ConfabChatRunner *self,
               GTask            *task)
{
  ConfabMessage *reply = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);

  confab_message_set_state (reply, CONFAB_MESSAGE_STREAMING);
  confab_message_set_account_id (reply, confab_account_get_id (self->account));
  confab_message_set_provider_id (reply, confab_account_get_provider_id (self->account));
  confab_message_set_model (reply, self->model);
  self->reply = reply;
  confab_conversation_append (self->conversation, reply);
  confab_conversation_set_updated (self->conversation, g_get_real_time ());

  g_signal_connect (self->stream, "text", G_CALLBACK (on_text), self);
  g_signal_connect (self->stream, "reasoning", G_CALLBACK (on_reasoning), self);
  g_signal_connect (self->stream, "usage", G_CALLBACK (on_usage), self);
  confab_chat_stream_run_async (self->stream, self->cancellable, on_stream_done, task);
}

/* With the history */

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (confab_chat_recorder_run_finish (CONFAB_CHAT_RECORDER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_recorded (ConfabChatRunner *self,
              GTask            *task)
{
  self->recorder = confab_chat_recorder_new (self->history, self->conversation);
  confab_chat_recorder_run_async (self->recorder, self->stream, self->cancellable, on_recorded, task);
  /* The recorder appends the reply before anything goes out. */
  self->reply = g_object_ref (confab_chat_recorder_get_reply (self->recorder));
}

/**
 * confab_chat_runner_run_async:
 *
 * Sends the conversation and streams the reply into a new assistant
 * message at its end. Fails with the provider's error (the reply holds it
 * too) or with the history's.
 */
void
confab_chat_runner_run_async (ConfabChatRunner    *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabProvider) provider = NULL;
  g_autoptr(ConfabChatRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_CHAT_RUNNER (self));
  g_return_if_fail (self->reply == NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_chat_runner_run_async);
  /* A stop ends with the reply's state set (and saved), not early. */
  g_task_set_check_cancellable (task, FALSE);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();

  if ((provider = confab_provider_new_for_account (self->account, &error)) == NULL)
    {
      self->reply = confab_message_new (CONFAB_ROLE_ASSISTANT, NULL);
      confab_message_set_account_id (self->reply, confab_account_get_id (self->account));
      confab_message_set_model (self->reply, self->model);
      set_error (self->reply, error);
      confab_message_set_state (self->reply, CONFAB_MESSAGE_FAILED);
      confab_conversation_append (self->conversation, self->reply);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  request = confab_chat_request_new_for_conversation (self->conversation, self->model,
                                                      g_list_model_get_n_items (G_LIST_MODEL (self->conversation)));
  self->stream = confab_chat_stream_new (self->account, provider, request);

  if (self->history != NULL)
    run_recorded (self, g_steal_pointer (&task));
  else
    run_in_memory (self, g_steal_pointer (&task));
}

gboolean
confab_chat_runner_run_finish (ConfabChatRunner  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

ConfabConversation *
confab_chat_runner_get_conversation (ConfabChatRunner *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RUNNER (self), NULL);
  return self->conversation;
}

ConfabAccount *
confab_chat_runner_get_account (ConfabChatRunner *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RUNNER (self), NULL);
  return self->account;
}

/* Returns: (nullable) (transfer none): the reply, once running */
ConfabMessage *
confab_chat_runner_get_reply (ConfabChatRunner *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_RUNNER (self), NULL);
  return self->reply;
}

/* Stops the stream; the reply keeps what arrived and becomes "cancelled". */
void
confab_chat_runner_stop (ConfabChatRunner *self)
{
  g_return_if_fail (CONFAB_IS_CHAT_RUNNER (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}
