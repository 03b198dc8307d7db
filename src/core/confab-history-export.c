/* confab-history-export.c
 *
 * Export writes every field of every conversation, so that importing into
 * an empty history gives back the same history. Import checks the whole
 * file before anything is written: a file with one bad field is refused
 * as a whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-history-export.h"
#include "confab-history-store.h"
#include "confab-util.h"

/* Timestamps: ISO 8601 in UTC with microseconds, exact both ways. */

/* @us since the epoch as ISO 8601 in UTC, as exports write it. */
char *
confab_history_format_time (gint64 us)
{
  gint64 seconds = us / G_USEC_PER_SEC;
  gint64 rest = us % G_USEC_PER_SEC;
  g_autoptr(GDateTime) whole = NULL;
  g_autoptr(GDateTime) exact = NULL;

  if (rest < 0)
    {
      seconds--;
      rest += G_USEC_PER_SEC;
    }
  whole = g_date_time_new_from_unix_utc (seconds);
  if (whole == NULL)
    return NULL;
  exact = g_date_time_add (whole, rest);
  return g_date_time_format_iso8601 (exact);
}

static gboolean
time_from_string (const char *str,
                  gint64     *us)
{
  g_autoptr(GDateTime) time = NULL;

  if (str == NULL || (time = g_date_time_new_from_iso8601 (str, NULL)) == NULL)
    return FALSE;
  *us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* Writing JSON */

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       us)
{
  g_autofree char *text = confab_history_format_time (us);

  add_string (builder, name, text);
}

/* Negative counts are unknown: null. */
static void
add_count (JsonBuilder *builder,
           const char  *name,
           gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value >= 0)
    json_builder_add_int_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_message (JsonBuilder   *builder,
             ConfabMessage *message)
{
  json_builder_begin_object (builder);
  add_string (builder, "role", confab_role_to_string (confab_message_get_role (message)));
  add_string (builder, "text", confab_message_get_text (message));
  add_string (builder, "reasoning", confab_message_get_reasoning (message));
  add_string (builder, "state",
              confab_message_state_to_string (confab_message_get_state (message)));
  add_string (builder, "account", confab_message_get_account_id (message));
  add_string (builder, "provider", confab_message_get_provider_id (message));
  add_string (builder, "model", confab_message_get_model (message));
  add_count (builder, "input_tokens", confab_message_get_input_tokens (message));
  add_count (builder, "output_tokens", confab_message_get_output_tokens (message));
  add_string (builder, "finish_reason", confab_message_get_finish_reason (message));
  add_string (builder, "error_code", confab_message_get_error_code (message));
  add_string (builder, "error_message", confab_message_get_error_message (message));
  add_time (builder, "created", confab_message_get_created (message));
  add_count (builder, "ttft_ms", confab_message_get_ttft (message));
  add_count (builder, "duration_ms", confab_message_get_duration (message));
  json_builder_end_object (builder);
}

static void
add_conversation (JsonBuilder        *builder,
                  ConfabConversation *conversation)
{
  const char *title = confab_conversation_get_title (conversation);
  double temperature = confab_conversation_get_temperature (conversation);
  gint64 max_tokens = confab_conversation_get_max_tokens (conversation);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  json_builder_begin_object (builder);
  add_string (builder, "id", confab_conversation_get_id (conversation));
  add_string (builder, "title", title ? title : "");
  add_time (builder, "created", confab_conversation_get_created (conversation));
  add_time (builder, "updated", confab_conversation_get_updated (conversation));
  add_string (builder, "account", confab_conversation_get_account_id (conversation));
  add_string (builder, "model", confab_conversation_get_model (conversation));
  add_string (builder, "system_prompt", confab_conversation_get_system_prompt (conversation));
  json_builder_set_member_name (builder, "temperature");
  if (temperature >= 0)
    json_builder_add_double_value (builder, temperature);
  else
    json_builder_add_null_value (builder);
  add_count (builder, "max_tokens", max_tokens > 0 ? max_tokens : -1);

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    add_message (builder, confab_conversation_get_message (conversation, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* One conversation as it appears in an export, for "history show". */
JsonNode *
confab_history_export_conversation (ConfabConversation *conversation)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  add_conversation (builder, conversation);
  return json_builder_get_root (builder);
}

/* A whole export file: the envelope and @conversations. */
JsonNode *
confab_history_export_json (GPtrArray *conversations)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (conversations != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "format", CONFAB_HISTORY_EXPORT_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, CONFAB_HISTORY_EXPORT_VERSION);
  add_time (builder, "exported", g_get_real_time ());
  json_builder_set_member_name (builder, "conversations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < conversations->len; i++)
    add_conversation (builder, g_ptr_array_index (conversations, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Markdown */

static char *
local_time (gint64 us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static const char *
role_label (ConfabRole role)
{
  switch (role)
    {
    case CONFAB_ROLE_USER: return _("User");
    case CONFAB_ROLE_ASSISTANT: return _("Assistant");
    case CONFAB_ROLE_SYSTEM: return _("System");
    default: return "?";
    }
}

static const char *
state_note (ConfabMessageState state)
{
  switch (state)
    {
    case CONFAB_MESSAGE_STREAMING: return _("still being written");
    case CONFAB_MESSAGE_INTERRUPTED: return _("interrupted");
    case CONFAB_MESSAGE_FAILED: return _("failed");
    case CONFAB_MESSAGE_CANCELLED: return _("stopped");
    case CONFAB_MESSAGE_COMPLETE:
    default: return NULL;
    }
}

static void
append_quoted (GString    *out,
               const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, ">%s%s\n", *lines[i] ? " " : "", lines[i]);
}

static void
append_message_markdown (GString       *out,
                         ConfabMessage *message)
{
  g_autofree char *when = local_time (confab_message_get_created (message));
  const char *model = confab_message_get_model (message);
  const char *note = state_note (confab_message_get_state (message));
  const char *reasoning = confab_message_get_reasoning (message);

  g_string_append_printf (out, "## %s", role_label (confab_message_get_role (message)));
  if (model != NULL && confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT)
    g_string_append_printf (out, " · %s", model);
  g_string_append_printf (out, " · %s\n\n", when);

  if (*reasoning != '\0')
    {
      g_string_append_printf (out, "<details><summary>%s</summary>\n\n", _("Reasoning"));
      append_quoted (out, reasoning);
      g_string_append (out, "\n</details>\n\n");
    }
  g_string_append (out, confab_message_get_text (message));
  if (!g_str_has_suffix (out->str, "\n"))
    g_string_append_c (out, '\n');
  if (note != NULL)
    {
      const char *error = confab_message_get_error_message (message);
      g_string_append_printf (out, "\n*(%s%s%s)*\n", note, error ? ": " : "", error ? error : "");
    }
  g_string_append_c (out, '\n');
}

char *
confab_history_export_markdown (ConfabConversation *conversation)
{
  GString *out;
  g_autofree char *created = NULL;
  const char *title;
  const char *system_prompt;
  guint n;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  out = g_string_new (NULL);
  title = confab_conversation_get_title (conversation);
  system_prompt = confab_conversation_get_system_prompt (conversation);
  created = local_time (confab_conversation_get_created (conversation));
  n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  g_string_append_printf (out, "# %s\n\n", title && *title ? title : _("Untitled conversation"));
  g_string_append_printf (out, "- %s: `%s`\n", _("Conversation"),
                          confab_conversation_get_id (conversation));
  g_string_append_printf (out, "- %s: %s\n", _("Started"), created);
  if (confab_conversation_get_model (conversation) != NULL)
    g_string_append_printf (out, "- %s: %s\n", _("Model"),
                            confab_conversation_get_model (conversation));
  g_string_append_c (out, '\n');
  if (system_prompt != NULL && *system_prompt != '\0')
    {
      g_string_append_printf (out, "**%s**\n\n", _("System prompt"));
      append_quoted (out, system_prompt);
      g_string_append_c (out, '\n');
    }

  for (guint i = 0; i < n; i++)
    append_message_markdown (out, confab_conversation_get_message (conversation, i));
  return g_string_free (out, FALSE);
}

/* Reading an export */

static gboolean
invalid (GError     **error,
         const char  *where,
         const char  *format,
         ...) G_GNUC_PRINTF (3, 4);

/* Always FALSE. */
static gboolean
invalid (GError     **error,
         const char  *where,
         const char  *format,
         ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_INVALID_EXPORT,
               _("Not a valid Confab history export: %s%s%s"),
               where ? where : "", where ? ": " : "", detail);
  return FALSE;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A string member; NULL for null when @required is FALSE. */
static gboolean
read_string (JsonObject  *object,
             const char  *where,
             const char  *name,
             gboolean     required,
             const char **value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL && required)
    return invalid (error, where, _("“%s” is missing"), name);
  if (node == NULL || (JSON_NODE_HOLDS_NULL (node) && !required))
    return TRUE;
  if (!holds (node, G_TYPE_STRING) || !g_utf8_validate (json_node_get_string (node), -1, NULL))
    return invalid (error, where, _("“%s” must be a string"), name);
  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_time (JsonObject  *object,
           const char  *where,
           const char  *name,
           gint64      *value,
           GError     **error)
{
  const char *text;

  if (!read_string (object, where, name, TRUE, &text, error))
    return FALSE;
  if (!time_from_string (text, value))
    return invalid (error, where, _("“%s” is not an ISO 8601 time: %s"), name, text);
  return TRUE;
}

/* A count that may be null (-1) but not negative. */
static gboolean
read_count (JsonObject  *object,
            const char  *where,
            const char  *name,
            gint64      *value,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!holds (node, G_TYPE_INT64) || json_node_get_int (node) < 0)
    return invalid (error, where, _("“%s” must be a whole number of at least 0, or null"), name);
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_temperature (JsonObject  *object,
                  const char  *where,
                  double      *value,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (object, "temperature");

  *value = -1.0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (holds (node, G_TYPE_DOUBLE) || holds (node, G_TYPE_INT64))
    *value = json_node_get_double (node);
  if (*value < 0 || *value > 2)
    return invalid (error, where, _("“temperature” must be a number from 0 to 2, or null"));
  return TRUE;
}

static gboolean
read_message_strings (JsonObject     *object,
                      const char     *where,
                      ConfabMessage  *message,
                      GError        **error)
{
  const char *reasoning, *account, *provider, *model, *finish, *code, *text;

  if (!read_string (object, where, "reasoning", FALSE, &reasoning, error) ||
      !read_string (object, where, "account", FALSE, &account, error) ||
      !read_string (object, where, "provider", FALSE, &provider, error) ||
      !read_string (object, where, "model", FALSE, &model, error) ||
      !read_string (object, where, "finish_reason", FALSE, &finish, error) ||
      !read_string (object, where, "error_code", FALSE, &code, error) ||
      !read_string (object, where, "error_message", FALSE, &text, error))
    return FALSE;

  confab_message_set_reasoning (message, reasoning);
  confab_message_set_account_id (message, account);
  confab_message_set_provider_id (message, provider);
  confab_message_set_model (message, model);
  confab_message_set_finish_reason (message, finish);
  confab_message_set_error (message, code, text);
  return TRUE;
}

static gboolean
read_message_numbers (JsonObject     *object,
                      const char     *where,
                      ConfabMessage  *message,
                      GError        **error)
{
  gint64 created, input, output, ttft, duration;

  if (!read_time (object, where, "created", &created, error) ||
      !read_count (object, where, "input_tokens", &input, error) ||
      !read_count (object, where, "output_tokens", &output, error) ||
      !read_count (object, where, "ttft_ms", &ttft, error) ||
      !read_count (object, where, "duration_ms", &duration, error))
    return FALSE;

  confab_message_set_created (message, created);
  confab_message_set_input_tokens (message, input);
  confab_message_set_output_tokens (message, output);
  confab_message_set_ttft (message, ttft);
  confab_message_set_duration (message, duration);
  return TRUE;
}

static ConfabMessage *
read_message (JsonNode    *node,
              const char  *where,
              GError     **error)
{
  g_autoptr(ConfabMessage) message = NULL;
  JsonObject *object;
  const char *role_name, *text, *state_name;
  ConfabRole role;
  ConfabMessageState state;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, where, _("a message must be an object")), NULL;
  object = json_node_get_object (node);
  if (!read_string (object, where, "role", TRUE, &role_name, error) ||
      !read_string (object, where, "text", TRUE, &text, error) ||
      !read_string (object, where, "state", TRUE, &state_name, error))
    return NULL;
  if (!confab_role_from_string (role_name, &role))
    return invalid (error, where, _("unknown role “%s”"), role_name), NULL;
  if (!confab_message_state_from_string (state_name, &state))
    return invalid (error, where, _("unknown state “%s”"), state_name), NULL;

  message = confab_message_new (role, text);
  confab_message_set_state (message, state);
  if (!read_message_strings (object, where, message, error) ||
      !read_message_numbers (object, where, message, error))
    return NULL;
  return g_steal_pointer (&message);
}

static gboolean
is_conversation_id (const char *id)
{
  if (strlen (id) != 16)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static gboolean
read_settings (JsonObject          *object,
               const char          *where,
               ConfabConversation  *conversation,
               GError             **error)
{
  const char *account, *model, *system_prompt;
  gint64 created, updated, max_tokens;
  double temperature;

  if (!read_time (object, where, "created", &created, error) ||
      !read_time (object, where, "updated", &updated, error) ||
      !read_string (object, where, "account", FALSE, &account, error) ||
      !read_string (object, where, "model", FALSE, &model, error) ||
      !read_string (object, where, "system_prompt", FALSE, &system_prompt, error) ||
      !read_temperature (object, where, &temperature, error) ||
      !read_count (object, where, "max_tokens", &max_tokens, error))
    return FALSE;

  confab_conversation_set_created (conversation, created);
  confab_conversation_set_updated (conversation, updated);
  confab_conversation_set_account_id (conversation, account);
  confab_conversation_set_model (conversation, model);
  confab_conversation_set_system_prompt (conversation, system_prompt);
  confab_conversation_set_temperature (conversation, temperature);
  confab_conversation_set_max_tokens (conversation, MAX (max_tokens, 0));
  return TRUE;
}

static gboolean
read_messages (JsonObject          *object,
               const char          *where,
               ConfabConversation  *conversation,
               GError             **error)
{
  JsonNode *node = json_object_get_member (object, "messages");
  JsonArray *messages;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, where, _("“messages” must be a list"));
  messages = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      g_autofree char *at = g_strdup_printf (_("%s, message %u"), where, i + 1);
      g_autoptr(ConfabMessage) message =
        read_message (json_array_get_element (messages, i), at, error);

      if (message == NULL)
        return FALSE;
      confab_conversation_append (conversation, message);
    }
  return TRUE;
}

static ConfabConversation *
read_conversation (JsonNode    *node,
                   guint        index,
                   GError     **error)
{
  g_autofree char *where = g_strdup_printf (_("conversation %u"), index + 1);
  g_autoptr(ConfabConversation) conversation = NULL;
  JsonObject *object;
  const char *id, *title;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, where, _("a conversation must be an object")), NULL;
  object = json_node_get_object (node);
  if (!read_string (object, where, "id", TRUE, &id, error) ||
      !read_string (object, where, "title", TRUE, &title, error))
    return NULL;
  if (!is_conversation_id (id))
    return invalid (error, where, _("“%s” is not a conversation id (16 hexadecimal digits)"),
                    id), NULL;

  conversation = confab_conversation_new (id);
  confab_conversation_set_title (conversation, title);
  if (!read_settings (object, where, conversation, error) ||
      !read_messages (object, where, conversation, error))
    return NULL;
  return g_steal_pointer (&conversation);
}

static JsonArray *
read_envelope (JsonNode  *root,
               GError   **error)
{
  JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                       ? json_node_get_object (root) : NULL;
  JsonNode *format = object ? json_object_get_member (object, "format") : NULL;
  JsonNode *version;
  JsonNode *conversations;

  if (!holds (format, G_TYPE_STRING) ||
      g_strcmp0 (json_node_get_string (format), CONFAB_HISTORY_EXPORT_FORMAT) != 0)
    return invalid (error, NULL, _("it has no “format”: “%s” member, so it comes from "
                                   "another program"), CONFAB_HISTORY_EXPORT_FORMAT), NULL;

  version = json_object_get_member (object, "version");
  if (!holds (version, G_TYPE_INT64))
    return invalid (error, NULL, _("“version” must be a whole number")), NULL;
  if (json_node_get_int (version) != CONFAB_HISTORY_EXPORT_VERSION)
    {
      /* A format macro would cut the translatable string short. */
      g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (version));

      return invalid (error, NULL, _("it is format version %s, and this Confab reads version %d"),
                      found, CONFAB_HISTORY_EXPORT_VERSION), NULL;
    }

  conversations = json_object_get_member (object, "conversations");
  if (conversations == NULL || !JSON_NODE_HOLDS_ARRAY (conversations))
    return invalid (error, NULL, _("“conversations” must be a list")), NULL;
  return json_node_get_array (conversations);
}

/* Returns: (element-type ConfabConversation): every conversation of an
 * export, or NULL with CONFAB_HISTORY_ERROR_INVALID_EXPORT. The messages
 * have no ids: they are not saved yet. */
GPtrArray *
confab_history_import_parse (const char  *data,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) conversations = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) json_error = NULL;
  JsonArray *array;

  g_return_val_if_fail (data != NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (!g_utf8_validate (data, length, NULL))
    return invalid (error, NULL, _("it is not UTF-8 text")), NULL;
  if (!confab_json_parser_load (parser, data, length, &json_error))
    return invalid (error, NULL, _("it is not JSON (%s)"), json_error->message), NULL;
  if ((array = read_envelope (json_parser_get_root (parser), error)) == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      ConfabConversation *conversation =
        read_conversation (json_array_get_element (array, i), i, error);
      const char *id;

      if (conversation == NULL)
        return NULL;
      g_ptr_array_add (conversations, conversation);
      id = confab_conversation_get_id (conversation);
      if (!g_hash_table_add (ids, (gpointer)id))
        return invalid (error, NULL, _("the id %s appears twice"), id), NULL;
    }
  return g_steal_pointer (&conversations);
}
