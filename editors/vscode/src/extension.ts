// Starts `havre lsp` for .havre files and runs `havre decide` on the case a code lens names.
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
    vscode.commands.registerCommand("havre.decide", (caseFile?: string, policy?: string) =>
      decide(command, caseFile, policy),
    ),
  );
  await client.start();
}

async function decide(command: string, caseFile?: string, policy?: string): Promise<void> {
  const chosen = caseFile ?? (await pickCase());
  if (chosen === undefined) {
    return;
  }
  const terminal = vscode.window.createTerminal("havre decide");
  terminal.show();
  const policyOption = policy === undefined ? "" : ` --policy ${JSON.stringify(policy)}`;
  terminal.sendText(`${command} decide ${JSON.stringify(chosen)}${policyOption}`);
}

async function pickCase(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ filters: { "Case files": ["yaml", "yml", "json"] } });
  return picked?.[0]?.fsPath;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
