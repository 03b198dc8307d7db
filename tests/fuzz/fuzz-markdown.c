/* fuzz-markdown.c: model output through md4c into Confab's block tree
 *
 * Input: the reply text, any bytes. Properties: the tree is no deeper
 * than CONFAB_MARKDOWN_MAX_DEPTH lists and quotes; every paragraph and
 * heading is well-formed Pango markup (so model text can never become
 * markup of its own) and, like all other text in the tree, valid UTF-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <pango/pango.h>

#include "confab-markdown-parser.h"
#include "fuzz-common.h"

/* GtkLabel takes Pango markup plus <a href="…" title="…">, which it
 * removes before Pango sees the rest; do the same, and let Pango judge. */
static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  GString *pango = user_data;

  if (g_str_equal (element, "a"))
    {
      for (guint i = 0; names[i] != NULL; i++)
        confab_fuzz_require (g_str_equal (names[i], "href") || g_str_equal (names[i], "title"));
      g_string_append (pango, "<span>");
      return;
    }
  g_string_append_printf (pango, "<%s", element);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *value = g_markup_escape_text (values[i], -1);
      g_string_append_printf (pango, " %s=\"%s\"", names[i], value);
    }
  g_string_append_c (pango, '>');
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  GString *pango = user_data;

  g_string_append_printf (pango, "</%s>", g_str_equal (element, "a") ? "span" : element);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append ((GString *)user_data, escaped);
}

static void
check_markup (const char *markup)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GString) pango = g_string_new (NULL);
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  confab_fuzz_check_utf8 (markup, -1, "paragraph markup");
  context = g_markup_parse_context_new (&parser, 0, pango, NULL);
  if (!g_markup_parse_context_parse (context, "<markup>", -1, &error) ||
      !g_markup_parse_context_parse (context, markup, -1, &error) ||
      !g_markup_parse_context_parse (context, "</markup>", -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    g_error ("the parser produced malformed markup (%s): %s", error->message, markup);
  if (!pango_parse_markup (pango->str, -1, 0, NULL, NULL, NULL, &error))
    g_error ("the parser produced invalid Pango markup (%s): %s", error->message, markup);
}

static void
check_node (const ConfabMarkdownNode *node,
            guint                     depth)
{
  switch (node->kind)
    {
    case CONFAB_MARKDOWN_NODE_PARAGRAPH:
    case CONFAB_MARKDOWN_NODE_HEADING:
      check_markup (node->text);
      break;
    case CONFAB_MARKDOWN_NODE_QUOTE:
    case CONFAB_MARKDOWN_NODE_LIST:
      depth++;
      confab_fuzz_require (depth <= CONFAB_MARKDOWN_MAX_DEPTH);
      break;
    case CONFAB_MARKDOWN_NODE_ROOT:
    case CONFAB_MARKDOWN_NODE_CODE:
    case CONFAB_MARKDOWN_NODE_RULE:
    case CONFAB_MARKDOWN_NODE_ITEM:
    case CONFAB_MARKDOWN_NODE_TABLE:
    case CONFAB_MARKDOWN_NODE_CELL:
    case CONFAB_MARKDOWN_NODE_IMAGE:
    default:
      confab_fuzz_check_utf8 (node->text, -1, "node text");
      break;
    }
  confab_fuzz_check_utf8 (node->uri, -1, "an image URI");
  confab_fuzz_check_utf8 (node->language, -1, "a code language");

  for (guint i = 0; node->children != NULL && i < node->children->len; i++)
    check_node (g_ptr_array_index (node->children, i), depth);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ConfabMarkdownNode) root = NULL;

  confab_fuzz_init ();
  root = confab_markdown_parse ((const char *)data, size);
  confab_fuzz_require (root != NULL && root->kind == CONFAB_MARKDOWN_NODE_ROOT);
  check_node (root, 0);
  return 0;
}
