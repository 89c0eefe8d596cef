// Starts `havre lsp` for .havre files, and runs the havre command a code lens names (decide a case, test scenarios).
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const [command, ...args] = vscode.workspace
    .getConfiguration("havre")
    .get<string[]>("server.command", ["havre", "lsp"]);
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server: ServerOptions = { command, args, options: { cwd } };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "havre" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.havre") },
  };
  client = new LanguageClient("havre", "Havre", server, options);
  context.subscriptions.push(
    // A code lens's command: `havre decide CASE --policy DIR`, or `havre test SCENARIOS --policy DIR`.
    vscode.commands.registerCommand("havre.run", (...havreArgs: string[]) => run(command, havreArgs)),
    vscode.commands.registerCommand("havre.decide", async () => {
      const chosen = await pickCase();
      if (chosen !== undefined) {
        run(command, ["decide", chosen]);
      }
    }),
  );
  await client.start();
}

function run(command: string, havreArgs: string[]): void {
  const terminal = vscode.window.createTerminal(`havre ${havreArgs[0] ?? ""}`);
  terminal.show();
  terminal.sendText([command, ...havreArgs].map((word) => JSON.stringify(word)).join(" "));
}

async function pickCase(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ filters: { "Case files": ["yaml", "yml", "json"] } });
  return picked?.[0]?.fsPath;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
