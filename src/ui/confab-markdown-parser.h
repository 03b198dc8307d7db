/* confab-markdown-parser.h: markdown (md4c) to a small tree of blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lists and block quotes nested deeper than this are flattened into the
 * deepest one, so hostile input cannot exhaust the stack or GTK's widget
 * depth. */
#define CONFAB_MARKDOWN_MAX_DEPTH 12

/* A paragraph longer than this (in bytes of text) is shown as a GROUP of
 * pieces, cut at line breaks or spaces where possible: laying out and
 * re-laying out (while it streams) one huge label costs far more than
 * its pieces. */
#define CONFAB_MARKDOWN_PIECE_LEN 2000

typedef enum
{
  CONFAB_MARKDOWN_NODE_ROOT,
  CONFAB_MARKDOWN_NODE_PARAGRAPH,
  CONFAB_MARKDOWN_NODE_HEADING,
  CONFAB_MARKDOWN_NODE_CODE,
  CONFAB_MARKDOWN_NODE_RULE,
  CONFAB_MARKDOWN_NODE_QUOTE,
  CONFAB_MARKDOWN_NODE_LIST,
  CONFAB_MARKDOWN_NODE_ITEM,
  CONFAB_MARKDOWN_NODE_TABLE,
  CONFAB_MARKDOWN_NODE_CELL,
  CONFAB_MARKDOWN_NODE_IMAGE,
  CONFAB_MARKDOWN_NODE_GROUP,
} ConfabMarkdownNodeKind;

typedef enum
{
  CONFAB_MARKDOWN_ALIGN_DEFAULT,
  CONFAB_MARKDOWN_ALIGN_LEFT,
  CONFAB_MARKDOWN_ALIGN_CENTER,
  CONFAB_MARKDOWN_ALIGN_RIGHT,
} ConfabMarkdownAlign;

typedef struct _ConfabMarkdownNode ConfabMarkdownNode;

/**
 * ConfabMarkdownNode:
 * @kind: what the block is
 * @children: (element-type ConfabMarkdownNode) (nullable): owned child
 *   blocks of ROOT, QUOTE, LIST, ITEM, TABLE, CELL and GROUP (the pieces
 *   of a paragraph too long for one label)
 * @text: PARAGRAPH and HEADING: Pango markup, already escaped; CODE: the
 *   code as written; IMAGE: the alt text, plain
 * @uri: IMAGE: the normalized source URI
 * @language: CODE: the first word of the fence's info string, or ""
 * @level: HEADING: 1–6; LIST and ITEM: how many lists enclose the list
 * @number: LIST: the first item's number; ITEM: its number
 * @row: CELL: its row, the header row being 0
 * @column: CELL: its column
 * @align: CELL and the PARAGRAPH in it: the column's alignment
 * @ordered: LIST, ITEM: numbered rather than bulleted
 * @tight: LIST: no blank lines between items
 * @task: ITEM: a task list item
 * @checked: ITEM: a done task
 * @header: CELL: in the header row; PARAGRAPH: in a table cell
 * @widget: the widget showing this block; owned by the view, not the node
 */
struct _ConfabMarkdownNode
{
  ConfabMarkdownNodeKind  kind;
  GPtrArray              *children;
  char                   *text;
  char                   *uri;
  char                   *language;
  guint                   level;
  guint                   number;
  guint                   row;
  guint                   column;
  ConfabMarkdownAlign     align;
  guint                   ordered : 1;
  guint                   tight : 1;
  guint                   task : 1;
  guint                   checked : 1;
  guint                   header : 1;
  gpointer                widget;
};

ConfabMarkdownNode *confab_markdown_parse           (const char               *text,
                                                     gsize                     len);
void                confab_markdown_node_free       (ConfabMarkdownNode       *node);
gboolean            confab_markdown_node_same_shape (const ConfabMarkdownNode *a,
                                                     const ConfabMarkdownNode *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMarkdownNode, confab_markdown_node_free)

G_END_DECLS
