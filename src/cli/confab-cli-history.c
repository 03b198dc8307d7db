/* confab-cli-history.c: "confab-cli history"
 *
 * list, show, search, export, import, rename and delete, over the same
 * history.db the app uses. Output formats are part of confab-cli's
 * contract; the JSON export format is docs/history-format.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "confab-cli.h"
#include "confab-history-export.h"
#include "confab-history-store.h"
#include "confab-util.h"

/* Markdown bold: readable as plain text, and renders where Markdown does. */
#define MARK_OPEN  "**"
#define MARK_CLOSE "**"

int
confab_cli_fail_history (const GError *error)
{
  if (g_error_matches (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "%s; “confab-cli history list” shows them",
                            error->message);
  if (g_error_matches (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_INVALID_EXPORT))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "%s. Nothing was imported.", error->message);
  return confab_cli_fail (CONFAB_EXIT_FAILURE, "%s", error->message);
}

static char *
local_time (gint64 us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static const char *
display_title (const char *title)
{
  return title != NULL && *title != '\0' ? title : "(untitled)";
}

static void
add_member (JsonBuilder *builder,
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
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       us)
{
  g_autofree char *text = confab_history_format_time (us);

  add_member (builder, name, text);
}

static void
print_builder (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  confab_cli_print_json (root);
}

/* Every command takes the options of @entries and exactly @n_args
 * arguments; returns FALSE with *status set otherwise. */
static gboolean
parse_command (int                 *argc,
               char              ***argv,
               const char          *parameters,
               const char          *summary,
               const GOptionEntry  *entries,
               int                  n_args,
               int                 *status)
{
  g_autoptr(GOptionContext) context =
    confab_cli_option_context_new (parameters, summary, entries);

  if (!confab_cli_parse_options (context, argc, argv, status))
    return FALSE;
  if (n_args >= 0 && *argc != n_args + 1)
    {
      if (parameters == NULL)
        *status = confab_cli_fail (CONFAB_EXIT_USAGE, "history %s takes no arguments",
                                   (*argv)[0]);
      else
        *status = confab_cli_fail (CONFAB_EXIT_USAGE, "history %s needs %s", (*argv)[0],
                                   parameters);
      return FALSE;
    }
  return TRUE;
}

/* list */

static void
add_summary_json (JsonBuilder        *builder,
                  ConfabConversation *conversation)
{
  json_builder_begin_object (builder);
  add_member (builder, "id", confab_conversation_get_id (conversation));
  add_member (builder, "title", confab_conversation_get_title (conversation));
  add_time_member (builder, "created", confab_conversation_get_created (conversation));
  add_time_member (builder, "updated", confab_conversation_get_updated (conversation));
  add_member (builder, "account", confab_conversation_get_account_id (conversation));
  add_member (builder, "model", confab_conversation_get_model (conversation));
  json_builder_end_object (builder);
}

static int
history_list (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_command (&argc, &argv, NULL, "List the conversations, most recent first.",
                      entries, 0, &status))
    return status;
  if ((conversations = confab_history_store_list (store, 0, NULL, &error)) == NULL)
    return confab_cli_fail_history (error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < conversations->len; i++)
    {
      ConfabConversation *conversation = g_ptr_array_index (conversations, i);
      g_autofree char *updated = local_time (confab_conversation_get_updated (conversation));

      if (json)
        add_summary_json (builder, conversation);
      else
        printf ("%s  %s  %s\n", confab_conversation_get_id (conversation), updated,
                display_title (confab_conversation_get_title (conversation)));
    }
  json_builder_end_array (builder);

  if (json)
    print_builder (builder);
  fflush (stdout);
  return CONFAB_EXIT_OK;
}

/* show */

static int
history_show (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_command (&argc, &argv, "ID", "Show a conversation.", entries, 1, &status))
    return status;
  if ((conversation = confab_history_store_load (store, argv[1], NULL, &error)) == NULL)
    return confab_cli_fail_history (error);

  if (json)
    {
      g_autoptr(JsonNode) node = confab_history_export_conversation (conversation);
      confab_cli_print_json (node);
    }
  else
    {
      g_autofree char *text = confab_history_export_markdown (conversation);
      fputs (text, stdout);
      fflush (stdout);
    }
  return CONFAB_EXIT_OK;
}

/* search */

static void
add_hit_json (JsonBuilder      *builder,
              ConfabHistoryHit *hit)
{
  g_autofree char *snippet = confab_history_hit_format_snippet (hit, MARK_OPEN, MARK_CLOSE);

  json_builder_begin_object (builder);
  add_member (builder, "id", confab_history_hit_get_conversation_id (hit));
  add_member (builder, "title", confab_history_hit_get_title (hit));
  add_time_member (builder, "updated", confab_history_hit_get_updated (hit));
  add_member (builder, "snippet", snippet);
  json_builder_end_object (builder);
}

static void
print_hit (ConfabHistoryHit *hit,
           gboolean          terminal)
{
  g_autofree char *snippet =
    confab_history_hit_format_snippet (hit, terminal ? "\033[1m" : MARK_OPEN,
                                       terminal ? "\033[0m" : MARK_CLOSE);

  printf ("%s  %s\n    %s\n", confab_history_hit_get_conversation_id (hit),
          display_title (confab_history_hit_get_title (hit)), snippet);
}

static int
history_search (int    argc,
                char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *query = NULL;
  gboolean terminal = isatty (STDOUT_FILENO);
  int status;

  if (!parse_command (&argc, &argv, "QUERY",
                      "Find conversations; every word of QUERY must match.", entries, -1,
                      &status))
    return status;
  query = argc > 1 ? g_strjoinv (" ", argv + 1) : NULL;
  if (confab_str_is_blank (query) || !g_utf8_validate (query, -1, NULL))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "history search needs a QUERY");
  if ((hits = confab_history_store_search (store, query, 0, NULL, &error)) == NULL)
    return confab_cli_fail_history (error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < hits->len; i++)
    {
      if (json)
        add_hit_json (builder, g_ptr_array_index (hits, i));
      else
        print_hit (g_ptr_array_index (hits, i), terminal);
    }
  json_builder_end_array (builder);

  if (json)
    print_builder (builder);
  fflush (stdout);
  return CONFAB_EXIT_OK;
}

/* export */

static int
export_json (ConfabHistoryStore *store,
             const char         *id)
{
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  if (id == NULL)
    conversations = confab_history_store_load_all (store, NULL, &error);
  else
    {
      ConfabConversation *conversation = confab_history_store_load (store, id, NULL, &error);

      if (conversation != NULL)
        {
          conversations = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (conversations, conversation);
        }
    }
  if (conversations == NULL)
    return confab_cli_fail_history (error);

  root = confab_history_export_json (conversations);
  confab_cli_print_json (root);
  return CONFAB_EXIT_OK;
}

static int
export_markdown (ConfabHistoryStore *store,
                 const char         *id)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if ((conversation = confab_history_store_load (store, id, NULL, &error)) == NULL)
    return confab_cli_fail_history (error);

  text = confab_history_export_markdown (conversation);
  fputs (text, stdout);
  fflush (stdout);
  return CONFAB_EXIT_OK;
}

static int
history_export (int    argc,
                char **argv)
{
  g_autofree char *format = NULL;
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "markdown or json (the default)", "FORMAT" },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Export every conversation (JSON only)", NULL },
    { NULL }
  };
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  gboolean markdown;
  int status;

  if (!parse_command (&argc, &argv, "ID|--all",
                      "Write conversations to standard output, to keep or to import.",
                      entries, -1, &status))
    return status;
  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "markdown"))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "--format must be markdown or json");
  if ((all && argc != 1) || (!all && argc != 2))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "history export needs one ID, or --all");

  markdown = g_strcmp0 (format, "markdown") == 0;
  if (all && markdown)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "--all exports JSON only; use --format json");
  if (markdown)
    return export_markdown (store, argv[1]);
  return export_json (store, all ? NULL : argv[1]);
}

/* import */

static char *
read_import_file (const char  *path,
                  gsize       *length,
                  GError     **error)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GFile) file = NULL;

  if (g_strcmp0 (path, "-") == 0)
    input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      file = g_file_new_for_commandline_arg (path);
      if ((input = G_INPUT_STREAM (g_file_read (file, NULL, error))) == NULL)
        return NULL;
    }

  if (g_output_stream_splice (output, input, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  /* NUL-terminated for the JSON parser's error messages. */
  *length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (output));
  return g_realloc (g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (output)),
                    *length + 1);
}

static int
history_import (int    argc,
                char **argv)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  guint n_imported = 0;
  guint n_skipped = 0;
  gsize length = 0;
  int status;

  if (!parse_command (&argc, &argv, "FILE",
                      "Add the conversations of an export (FILE, or - for standard input) "
                      "that are not in the history yet.", NULL, 1, &status))
    return status;

  if ((data = read_import_file (argv[1], &length, &error)) == NULL)
    return confab_cli_fail (CONFAB_EXIT_USAGE, "%s. Nothing was imported.", error->message);
  data[length] = '\0';

  if ((conversations = confab_history_import_parse (data, length, &error)) == NULL ||
      !confab_history_store_import (store, conversations, &n_imported, &n_skipped, NULL, &error))
    return confab_cli_fail_history (error);

  printf ("imported %u, skipped %u already in the history\n", n_imported, n_skipped);
  fflush (stdout);
  return CONFAB_EXIT_OK;
}

/* rename */

static int
history_rename (int    argc,
                char **argv)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  int status;

  if (!parse_command (&argc, &argv, "ID TITLE", "Give a conversation another title.", NULL, 2,
                      &status))
    return status;

  /* A title is one line. */
  title = g_strstrip (g_strdelimit (g_strdup (argv[2]), "\r\n\t", ' '));
  if (*title == '\0' || !g_utf8_validate (title, -1, NULL))
    return confab_cli_fail (CONFAB_EXIT_USAGE, "the title is empty or not UTF-8 text");
  if (!confab_history_store_rename (store, argv[1], title, NULL, &error))
    return confab_cli_fail_history (error);
  return CONFAB_EXIT_OK;
}

/* delete */

static int
history_delete (int    argc,
                char **argv)
{
  g_autoptr(ConfabHistoryStore) store = confab_history_store_new (NULL);
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_command (&argc, &argv, "ID", "Delete a conversation and its messages.", NULL, 1,
                      &status))
    return status;
  if (!confab_history_store_delete (store, argv[1], NULL, &error))
    return confab_cli_fail_history (error);
  return CONFAB_EXIT_OK;
}

int
confab_cli_history (int    argc,
                    char **argv)
{
  static const struct
  {
    const char *name;
    int (*run) (int argc, char **argv);
  } commands[] = {
    { "list", history_list },
    { "show", history_show },
    { "search", history_search },
    { "export", history_export },
    { "import", history_import },
    { "rename", history_rename },
    { "delete", history_delete },
  };

  if (argc < 2)
    return confab_cli_fail (CONFAB_EXIT_USAGE,
                            "history needs list, show, search, export, import, rename or delete");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  return confab_cli_fail (CONFAB_EXIT_USAGE, "unknown history command “%s”", argv[1]);
}
