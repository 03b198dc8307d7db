/* bench-fill-history.c: conversations for the desktop-app benchmarks
 *
 *   bench-fill-history CONVERSATIONS MESSAGES
 *
 * Adds CONVERSATIONS conversations of MESSAGES messages each (questions,
 * and markdown replies as bench-text.c writes them) to the history the
 * app opens ($XDG_DATA_HOME/confab/history.db, or $CONFAB_HISTORY_DB
 * when set), through the same ConfabHistoryStore the app and confab-cli
 * use, and prints their ids, newest first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-text.h"
#include "confab-history-store.h"
#include "confab-util.h"

/* Conversations per transaction */
#define BATCH 250

static ConfabMessage *
make_message (GRand  *rand,
              guint   index,
              gint64  created)
{
  gboolean reply = index % 2 == 1;
  g_autoptr(GString) text = g_string_new (NULL);
  ConfabMessage *message;

  if (reply)
    bench_text_append_reply (text, rand);
  else
    bench_text_append_question (text, rand);
  message = confab_message_new (reply ? CONFAB_ROLE_ASSISTANT : CONFAB_ROLE_USER, text->str);
  confab_message_set_created (message, created);
  confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
  if (reply)
    {
      confab_message_set_provider_id (message, "deepseek");
      confab_message_set_model (message, "deepseek-chat");
      confab_message_set_input_tokens (message, g_rand_int_range (rand, 10, 4000));
      confab_message_set_output_tokens (message, g_rand_int_range (rand, 10, 800));
      confab_message_set_finish_reason (message, "stop");
      confab_message_set_ttft (message, g_rand_int_range (rand, 200, 3000));
      confab_message_set_duration (message, g_rand_int_range (rand, 1000, 30000));
    }
  return message;
}

static ConfabConversation *
make_conversation (GRand  *rand,
                   guint   n_messages,
                   gint64  updated)
{
  g_autofree char *id = confab_new_id ();
  ConfabConversation *conversation = confab_conversation_new (id);
  gint64 created = updated - (gint64) n_messages * 30 * G_USEC_PER_SEC;
  g_autoptr(GString) question = g_string_new (NULL);
  g_autofree char *title = NULL;

  bench_text_append_question (question, rand);
  title = g_utf8_substring (question->str, 0, MIN (g_utf8_strlen (question->str, -1), 30));
  confab_conversation_set_title (conversation, title);
  confab_conversation_set_created (conversation, created);
  confab_conversation_set_updated (conversation, updated);
  confab_conversation_set_model (conversation, "deepseek-chat");
  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(ConfabMessage) message =
        make_message (rand, i, created + (gint64) i * 30 * G_USEC_PER_SEC);

      confab_conversation_append (conversation, message);
    }
  return conversation;
}

static void
import (ConfabHistoryStore *store,
        GPtrArray          *batch)
{
  g_autoptr(GError) error = NULL;

  if (!confab_history_store_import (store, batch, NULL, NULL, NULL, &error))
    {
      g_printerr ("bench-fill-history: %s\n", error->message);
      exit (1);
    }
  for (guint i = 0; i < batch->len; i++)
    printf ("%s\n", confab_conversation_get_id (g_ptr_array_index (batch, i)));
  g_ptr_array_set_size (batch, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ConfabHistoryStore) store = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  guint n_conversations, n_messages;

  if (argc != 3)
    {
      g_printerr ("usage: bench-fill-history CONVERSATIONS MESSAGES\n");
      return 2;
    }
  n_conversations = strtoul (argv[1], NULL, 10);
  n_messages = strtoul (argv[2], NULL, 10);
  /* The same text for the same sizes, run after run. */
  rand = g_rand_new_with_seed (n_conversations * 7919 + n_messages);

  store = confab_history_store_new (g_getenv ("CONFAB_HISTORY_DB"));
  if (!confab_history_store_open (store, NULL, &error))
    {
      g_printerr ("bench-fill-history: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < n_conversations; i++)
    {
      /* Ten minutes apart, the first the newest */
      g_ptr_array_add (batch, make_conversation (rand, n_messages,
                                                 now - (gint64) i * 600 * G_USEC_PER_SEC));
      if (batch->len == BATCH)
        import (store, batch);
    }
  if (batch->len > 0)
    import (store, batch);
  return 0;
}
