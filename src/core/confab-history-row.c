/* confab-history-row.c: plain copies of conversations and messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-history-private.h"

ConfabHistoryConversationRow *
confab_history_conversation_row_new (ConfabConversation *conversation)
{
  ConfabHistoryConversationRow *row = g_new0 (ConfabHistoryConversationRow, 1);

  row->id = g_strdup (confab_conversation_get_id (conversation));
  row->title = g_strdup (confab_conversation_get_title (conversation));
  row->created = confab_conversation_get_created (conversation);
  row->updated = confab_conversation_get_updated (conversation);
  row->account_id = g_strdup (confab_conversation_get_account_id (conversation));
  row->model = g_strdup (confab_conversation_get_model (conversation));
  row->system_prompt = g_strdup (confab_conversation_get_system_prompt (conversation));
  row->temperature = confab_conversation_get_temperature (conversation);
  row->max_tokens = confab_conversation_get_max_tokens (conversation);
  return row;
}

void
confab_history_conversation_row_free (ConfabHistoryConversationRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->title);
  g_free (row->account_id);
  g_free (row->model);
  g_free (row->system_prompt);
  g_free (row);
}

ConfabConversation *
confab_history_conversation_row_to_object (const ConfabHistoryConversationRow *row)
{
  ConfabConversation *conversation = confab_conversation_new (row->id);

  confab_conversation_set_title (conversation, row->title);
  confab_conversation_set_created (conversation, row->created);
  confab_conversation_set_updated (conversation, row->updated);
  confab_conversation_set_account_id (conversation, row->account_id);
  confab_conversation_set_model (conversation, row->model);
  confab_conversation_set_system_prompt (conversation, row->system_prompt);
  confab_conversation_set_temperature (conversation, row->temperature);
  confab_conversation_set_max_tokens (conversation, row->max_tokens);
  return conversation;
}

ConfabHistoryMessageRow *
confab_history_message_row_new (ConfabMessage *message)
{
  ConfabHistoryMessageRow *row = g_new0 (ConfabHistoryMessageRow, 1);

  row->id = confab_message_get_id (message);
  row->role = confab_message_get_role (message);
  row->text = g_strdup (confab_message_get_text (message));
  row->reasoning = g_strdup (confab_message_get_reasoning (message));
  row->state = confab_message_get_state (message);
  row->account_id = g_strdup (confab_message_get_account_id (message));
  row->provider_id = g_strdup (confab_message_get_provider_id (message));
  row->model = g_strdup (confab_message_get_model (message));
  row->input_tokens = confab_message_get_input_tokens (message);
  row->output_tokens = confab_message_get_output_tokens (message);
  row->finish_reason = g_strdup (confab_message_get_finish_reason (message));
  row->error_code = g_strdup (confab_message_get_error_code (message));
  row->error_message = g_strdup (confab_message_get_error_message (message));
  row->created = confab_message_get_created (message);
  row->ttft = confab_message_get_ttft (message);
  row->duration = confab_message_get_duration (message);
  return row;
}

void
confab_history_message_row_free (ConfabHistoryMessageRow *row)
{
  if (row == NULL)
    return;
  g_free (row->text);
  g_free (row->reasoning);
  g_free (row->account_id);
  g_free (row->provider_id);
  g_free (row->model);
  g_free (row->finish_reason);
  g_free (row->error_code);
  g_free (row->error_message);
  g_free (row);
}

ConfabMessage *
confab_history_message_row_to_object (const ConfabHistoryMessageRow *row)
{
  ConfabMessage *message = confab_message_new (row->role, row->text);

  confab_message_set_id (message, row->id);
  confab_message_set_reasoning (message, row->reasoning);
  confab_message_set_state (message, row->state);
  confab_message_set_account_id (message, row->account_id);
  confab_message_set_provider_id (message, row->provider_id);
  confab_message_set_model (message, row->model);
  confab_message_set_input_tokens (message, row->input_tokens);
  confab_message_set_output_tokens (message, row->output_tokens);
  confab_message_set_finish_reason (message, row->finish_reason);
  confab_message_set_error (message, row->error_code, row->error_message);
  confab_message_set_created (message, row->created);
  confab_message_set_ttft (message, row->ttft);
  confab_message_set_duration (message, row->duration);
  return message;
}

/* With @only_unsaved, just the messages that have no row yet (id 0). */
ConfabHistorySnapshot *
confab_history_snapshot_new (ConfabConversation *conversation,
                             gboolean            only_unsaved)
{
  ConfabHistorySnapshot *snapshot = g_new0 (ConfabHistorySnapshot, 1);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  snapshot->conversation = confab_history_conversation_row_new (conversation);
  snapshot->messages =
    g_ptr_array_new_with_free_func ((GDestroyNotify)confab_history_message_row_free);
  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *message = confab_conversation_get_message (conversation, i);

      if (!only_unsaved || confab_message_get_id (message) == 0)
        g_ptr_array_add (snapshot->messages, confab_history_message_row_new (message));
    }
  return snapshot;
}

void
confab_history_snapshot_free (ConfabHistorySnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  confab_history_conversation_row_free (snapshot->conversation);
  g_ptr_array_unref (snapshot->messages);
  g_free (snapshot);
}
