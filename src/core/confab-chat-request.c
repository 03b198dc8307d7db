/* confab-chat-request.c
 *
 * A request is a snapshot: the conversation may go on changing (a reply
 * streaming into it) while the request is in flight.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-chat-request.h"
#include "confab-util.h"

typedef struct
{
  ConfabRole  role;
  char       *text;
} Turn;

struct _ConfabChatRequest
{
  GObject  parent_instance;

  char    *model;
  char    *system_prompt;
  double   temperature;
  gint64   max_tokens;
  GArray  *turns;
};

G_DEFINE_FINAL_TYPE (ConfabChatRequest, confab_chat_request, G_TYPE_OBJECT)

static void
clear_turn (gpointer data)
{
  Turn *turn = data;

  g_free (turn->text);
}

static void
confab_chat_request_finalize (GObject *object)
{
  ConfabChatRequest *self = (ConfabChatRequest *)object;

  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->turns, g_array_unref);

  G_OBJECT_CLASS (confab_chat_request_parent_class)->finalize (object);
}

static void
confab_chat_request_class_init (ConfabChatRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_chat_request_finalize;
}

static void
confab_chat_request_init (ConfabChatRequest *self)
{
  self->temperature = -1.0;
  self->turns = g_array_new (FALSE, FALSE, sizeof (Turn));
  g_array_set_clear_func (self->turns, clear_turn);
}

ConfabChatRequest *
confab_chat_request_new (const char *model)
{
  ConfabChatRequest *self = g_object_new (CONFAB_TYPE_CHAT_REQUEST, NULL);

  self->model = g_strdup (model);
  return self;
}

static gboolean
message_is_context (ConfabMessage *message)
{
  ConfabMessageState state = confab_message_get_state (message);

  /* Failed and cancelled replies are not part of what the model said;
   * an interrupted reply is, as far as it got. */
  if (state == CONFAB_MESSAGE_FAILED || state == CONFAB_MESSAGE_CANCELLED ||
      state == CONFAB_MESSAGE_STREAMING)
    return FALSE;
  if (confab_message_get_role (message) == CONFAB_ROLE_SYSTEM)
    return FALSE;
  return *confab_message_get_text (message) != '\0';
}

/* The first @n_messages messages of @conversation as context, without
 * reasoning (DeepSeek rejects it in history, and no provider needs it). */
ConfabChatRequest *
confab_chat_request_new_for_conversation (ConfabConversation *conversation,
                                          const char         *model,
                                          guint               n_messages)
{
  ConfabChatRequest *self;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  self = confab_chat_request_new (model);
  confab_chat_request_set_system_prompt (self, confab_conversation_get_system_prompt (conversation));
  self->temperature = confab_conversation_get_temperature (conversation);
  self->max_tokens = confab_conversation_get_max_tokens (conversation);

  for (guint i = 0; i < n_messages; i++)
    {
      ConfabMessage *message = confab_conversation_get_message (conversation, i);

      if (message == NULL)
        break;
      if (message_is_context (message))
        confab_chat_request_add_message (self, confab_message_get_role (message),
                                         confab_message_get_text (message));
    }

  return self;
}

const char *
confab_chat_request_get_model (ConfabChatRequest *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), NULL);
  return self->model;
}

void
confab_chat_request_set_model (ConfabChatRequest *self,
                               const char        *model)
{
  g_return_if_fail (CONFAB_IS_CHAT_REQUEST (self));
  confab_set_str (&self->model, model);
}

const char *
confab_chat_request_get_system_prompt (ConfabChatRequest *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), NULL);
  return self->system_prompt;
}

void
confab_chat_request_set_system_prompt (ConfabChatRequest *self,
                                       const char        *system_prompt)
{
  g_return_if_fail (CONFAB_IS_CHAT_REQUEST (self));

  if (confab_str_is_blank (system_prompt))
    system_prompt = NULL;
  confab_set_str (&self->system_prompt, system_prompt);
}

double
confab_chat_request_get_temperature (ConfabChatRequest *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), -1.0);
  return self->temperature;
}

void
confab_chat_request_set_temperature (ConfabChatRequest *self,
                                     double             temperature)
{
  g_return_if_fail (CONFAB_IS_CHAT_REQUEST (self));
  self->temperature = temperature < 0 ? -1.0 : temperature;
}

gint64
confab_chat_request_get_max_tokens (ConfabChatRequest *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), 0);
  return self->max_tokens;
}

void
confab_chat_request_set_max_tokens (ConfabChatRequest *self,
                                    gint64             max_tokens)
{
  g_return_if_fail (CONFAB_IS_CHAT_REQUEST (self));
  self->max_tokens = MAX (max_tokens, 0);
}

void
confab_chat_request_add_message (ConfabChatRequest *self,
                                 ConfabRole         role,
                                 const char        *text)
{
  Turn turn;

  g_return_if_fail (CONFAB_IS_CHAT_REQUEST (self));
  g_return_if_fail (text != NULL);

  turn.role = role;
  turn.text = g_strdup (text);
  g_array_append_val (self->turns, turn);
}

guint
confab_chat_request_get_n_messages (ConfabChatRequest *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), 0);
  return self->turns->len;
}

ConfabRole
confab_chat_request_get_message_role (ConfabChatRequest *self,
                                      guint              position)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), CONFAB_ROLE_USER);
  g_return_val_if_fail (position < self->turns->len, CONFAB_ROLE_USER);
  return g_array_index (self->turns, Turn, position).role;
}

const char *
confab_chat_request_get_message_text (ConfabChatRequest *self,
                                      guint              position)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_REQUEST (self), NULL);
  g_return_val_if_fail (position < self->turns->len, NULL);
  return g_array_index (self->turns, Turn, position).text;
}
