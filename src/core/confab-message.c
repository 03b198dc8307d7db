/* confab-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-message.h"
#include "confab-util.h"

struct _ConfabMessage
{
  GObject             parent_instance;

  gint64              id;
  ConfabRole          role;
  GString            *text;
  GString            *reasoning;
  ConfabMessageState  state;
  char               *account_id;
  char               *provider_id;
  char               *model;
  gint64              input_tokens;
  gint64              output_tokens;
  char               *finish_reason;
  char               *error_code;
  char               *error_message;
  gint64              created;
  gint64              ttft;
  gint64              duration;
};

G_DEFINE_FINAL_TYPE (ConfabMessage, confab_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ROLE,
  PROP_TEXT,
  PROP_REASONING,
  PROP_STATE,
  PROP_ACCOUNT_ID,
  PROP_PROVIDER_ID,
  PROP_MODEL,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_FINISH_REASON,
  PROP_ERROR_CODE,
  PROP_ERROR_MESSAGE,
  PROP_CREATED,
  PROP_TTFT,
  PROP_DURATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const role_names[] = { "user", "assistant", "system" };
static const char * const state_names[] = {
  "complete", "streaming", "interrupted", "failed", "cancelled",
};

const char *
confab_role_to_string (ConfabRole role)
{
  g_return_val_if_fail (role <= CONFAB_ROLE_SYSTEM, "user");
  return role_names[role];
}

gboolean
confab_role_from_string (const char *str,
                         ConfabRole *role)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (role_names); i++)
    if (g_str_equal (str, role_names[i]))
      {
        *role = i;
        return TRUE;
      }
  return FALSE;
}

const char *
confab_message_state_to_string (ConfabMessageState state)
{
  g_return_val_if_fail (state <= CONFAB_MESSAGE_CANCELLED, "complete");
  return state_names[state];
}

gboolean
confab_message_state_from_string (const char         *str,
                                  ConfabMessageState *state)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (str, state_names[i]))
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

static void
confab_message_finalize (GObject *object)
{
  ConfabMessage *self = (ConfabMessage *)object;

  g_string_free (self->text, TRUE);
  g_string_free (self->reasoning, TRUE);
  g_clear_pointer (&self->account_id, g_free);
  g_clear_pointer (&self->provider_id, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->finish_reason, g_free);
  g_clear_pointer (&self->error_code, g_free);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (confab_message_parent_class)->finalize (object);
}

static void
confab_message_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabMessage *self = CONFAB_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_ROLE: g_value_set_int (value, self->role); break;
    case PROP_TEXT: g_value_set_string (value, self->text->str); break;
    case PROP_REASONING: g_value_set_string (value, self->reasoning->str); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_ACCOUNT_ID: g_value_set_string (value, self->account_id); break;
    case PROP_PROVIDER_ID: g_value_set_string (value, self->provider_id); break;
    case PROP_MODEL: g_value_set_string (value, self->model); break;
    case PROP_INPUT_TOKENS: g_value_set_int64 (value, self->input_tokens); break;
    case PROP_OUTPUT_TOKENS: g_value_set_int64 (value, self->output_tokens); break;
    case PROP_FINISH_REASON: g_value_set_string (value, self->finish_reason); break;
    case PROP_ERROR_CODE: g_value_set_string (value, self->error_code); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_CREATED: g_value_set_int64 (value, self->created); break;
    case PROP_TTFT: g_value_set_int64 (value, self->ttft); break;
    case PROP_DURATION: g_value_set_int64 (value, self->duration); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ConfabMessage *self = CONFAB_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID: confab_message_set_id (self, g_value_get_int64 (value)); break;
    case PROP_ROLE: self->role = g_value_get_int (value); break;
    case PROP_TEXT: confab_message_set_text (self, g_value_get_string (value)); break;
    case PROP_REASONING: confab_message_set_reasoning (self, g_value_get_string (value)); break;
    case PROP_STATE: confab_message_set_state (self, g_value_get_int (value)); break;
    case PROP_ACCOUNT_ID: confab_message_set_account_id (self, g_value_get_string (value)); break;
    case PROP_PROVIDER_ID: confab_message_set_provider_id (self, g_value_get_string (value)); break;
    case PROP_MODEL: confab_message_set_model (self, g_value_get_string (value)); break;
    case PROP_INPUT_TOKENS: confab_message_set_input_tokens (self, g_value_get_int64 (value)); break;
    case PROP_OUTPUT_TOKENS: confab_message_set_output_tokens (self, g_value_get_int64 (value)); break;
    case PROP_FINISH_REASON: confab_message_set_finish_reason (self, g_value_get_string (value)); break;
    case PROP_CREATED: confab_message_set_created (self, g_value_get_int64 (value)); break;
    case PROP_TTFT: confab_message_set_ttft (self, g_value_get_int64 (value)); break;
    case PROP_DURATION: confab_message_set_duration (self, g_value_get_int64 (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_pspec (const char  *name,
              GParamFlags  extra)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                              G_PARAM_STATIC_STRINGS | extra);
}

static GParamSpec *
int64_pspec (const char *name,
             gint64      min,
             gint64      def)
{
  return g_param_spec_int64 (name, NULL, NULL, min, G_MAXINT64, def,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                             G_PARAM_STATIC_STRINGS);
}

static void
confab_message_class_init (ConfabMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_message_finalize;
  object_class->get_property = confab_message_get_property;
  object_class->set_property = confab_message_set_property;

  properties[PROP_ID] = int64_pspec ("id", 0, 0);
  properties[PROP_ROLE] =
    g_param_spec_int ("role", NULL, NULL, 0, CONFAB_ROLE_SYSTEM, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] = string_pspec ("text", G_PARAM_WRITABLE);
  properties[PROP_REASONING] = string_pspec ("reasoning", G_PARAM_WRITABLE);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, CONFAB_MESSAGE_CANCELLED, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_ID] = string_pspec ("account-id", G_PARAM_WRITABLE);
  properties[PROP_PROVIDER_ID] = string_pspec ("provider-id", G_PARAM_WRITABLE);
  properties[PROP_MODEL] = string_pspec ("model", G_PARAM_WRITABLE);
  properties[PROP_INPUT_TOKENS] = int64_pspec ("input-tokens", -1, -1);
  properties[PROP_OUTPUT_TOKENS] = int64_pspec ("output-tokens", -1, -1);
  properties[PROP_FINISH_REASON] = string_pspec ("finish-reason", G_PARAM_WRITABLE);
  properties[PROP_ERROR_CODE] = string_pspec ("error-code", 0);
  properties[PROP_ERROR_MESSAGE] = string_pspec ("error-message", 0);
  properties[PROP_CREATED] = int64_pspec ("created", 0, 0);
  properties[PROP_TTFT] = int64_pspec ("ttft", -1, -1);
  properties[PROP_DURATION] = int64_pspec ("duration", -1, -1);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_message_init (ConfabMessage *self)
{
  self->text = g_string_new (NULL);
  self->reasoning = g_string_new (NULL);
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->ttft = -1;
  self->duration = -1;
  self->created = g_get_real_time ();
}

ConfabMessage *
confab_message_new (ConfabRole  role,
                    const char *text)
{
  ConfabMessage *self = g_object_new (CONFAB_TYPE_MESSAGE, "role", role, NULL);

  if (text != NULL)
    g_string_assign (self->text, text);

  return self;
}

#define DEFINE_INT64_ACCESSORS(field, PROP)                               \
gint64                                                                    \
confab_message_get_##field (ConfabMessage *self)                         \
{                                                                         \
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), 0);                     \
  return self->field;                                                     \
}                                                                         \
void                                                                      \
confab_message_set_##field (ConfabMessage *self,                         \
                            gint64         value)                        \
{                                                                         \
  g_return_if_fail (CONFAB_IS_MESSAGE (self));                            \
  if (self->field == value)                                               \
    return;                                                               \
  self->field = value;                                                    \
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);           \
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                              \
const char *                                                              \
confab_message_get_##field (ConfabMessage *self)                         \
{                                                                         \
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);                  \
  return self->field;                                                     \
}                                                                         \
void                                                                      \
confab_message_set_##field (ConfabMessage *self,                         \
                            const char    *value)                        \
{                                                                         \
  g_return_if_fail (CONFAB_IS_MESSAGE (self));                            \
  if (confab_set_str (&self->field, value))                               \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);         \
}

DEFINE_INT64_ACCESSORS (id, PROP_ID)
DEFINE_INT64_ACCESSORS (input_tokens, PROP_INPUT_TOKENS)
DEFINE_INT64_ACCESSORS (output_tokens, PROP_OUTPUT_TOKENS)
DEFINE_INT64_ACCESSORS (created, PROP_CREATED)
DEFINE_INT64_ACCESSORS (ttft, PROP_TTFT)
DEFINE_INT64_ACCESSORS (duration, PROP_DURATION)
DEFINE_STRING_ACCESSORS (account_id, PROP_ACCOUNT_ID)
DEFINE_STRING_ACCESSORS (provider_id, PROP_PROVIDER_ID)
DEFINE_STRING_ACCESSORS (model, PROP_MODEL)
DEFINE_STRING_ACCESSORS (finish_reason, PROP_FINISH_REASON)

ConfabRole
confab_message_get_role (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), CONFAB_ROLE_USER);
  return self->role;
}

const char *
confab_message_get_text (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->text->str;
}

void
confab_message_set_text (ConfabMessage *self,
                         const char    *text)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (g_strcmp0 (self->text->str, text ? text : "") == 0)
    return;
  g_string_assign (self->text, text ? text : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

void
confab_message_append_text (ConfabMessage *self,
                            const char    *text)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (text == NULL || *text == '\0')
    return;
  g_string_append (self->text, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

const char *
confab_message_get_reasoning (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->reasoning->str;
}

void
confab_message_set_reasoning (ConfabMessage *self,
                              const char    *reasoning)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (g_strcmp0 (self->reasoning->str, reasoning ? reasoning : "") == 0)
    return;
  g_string_assign (self->reasoning, reasoning ? reasoning : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASONING]);
}

void
confab_message_append_reasoning (ConfabMessage *self,
                                 const char    *reasoning)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (reasoning == NULL || *reasoning == '\0')
    return;
  g_string_append (self->reasoning, reasoning);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASONING]);
}

ConfabMessageState
confab_message_get_state (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), CONFAB_MESSAGE_COMPLETE);
  return self->state;
}

void
confab_message_set_state (ConfabMessage      *self,
                          ConfabMessageState  state)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
confab_message_get_error_code (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->error_code;
}

const char *
confab_message_get_error_message (ConfabMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE (self), NULL);
  return self->error_message;
}

void
confab_message_set_error (ConfabMessage *self,
                          const char    *code,
                          const char    *message)
{
  g_return_if_fail (CONFAB_IS_MESSAGE (self));

  if (confab_set_str (&self->error_code, code))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_CODE]);
  if (confab_set_str (&self->error_message, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}
