// Starts `tierwise lsp` for TOML files: the server tells policy files and scenario
// files (`*.tests.toml`) apart itself.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("tierwise").get("path") || "tierwise";
  client = new LanguageClient(
    "tierwise",
    "tierwise",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "toml" }, { scheme: "untitled", language: "toml" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
