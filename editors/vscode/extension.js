// SPDX-License-Identifier: Apache-2.0
// The Cordon extension: starts `cordon lsp` (the path is the `cordon.path` setting) and hands
// .cordon files to it; everything it shows comes from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("cordon");
  const command = config.get("path") || "cordon";
  const args = ["lsp"];
  for (const dir of config.get("includeDirs") || []) args.push("-I", dir);
  const run = { command, args, transport: TransportKind.stdio };
  return { run, debug: run };
}

async function start() {
  client = new LanguageClient("cordon", "Cordon", serverOptions(), {
    documentSelector: [
      { scheme: "file", language: "cordon" },
      { scheme: "untitled", language: "cordon" },
    ],
  });
  await client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration("cordon")) return;
      if (client) await client.stop();
      await start();
    }),
  );
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
