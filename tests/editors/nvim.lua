-- Neovim, headless, against `tierwise lsp`: opens the policy named by $POLICY, attaches
-- the server ($TIERWISE, or `tierwise` on PATH), waits for its diagnostics and prints
-- each as `LINE:COL: SEVERITY: MESSAGE` (first line of the message), then quits.
--   TIERWISE=target/debug/tierwise POLICY=some.toml nvim --headless -u NONE -l tests/editors/nvim.lua
-- (Neovim 0.7 has no `-l`: use `-c 'luafile tests/editors/nvim.lua'`.)
local bin = os.getenv("TIERWISE") or "tierwise"
local file = os.getenv("POLICY")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local config = {
  name = "tierwise",
  cmd = { bin, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":p:h"),
}
local client
if vim.lsp.start then
  client = vim.lsp.start(config) -- Neovim 0.8 and later
else
  client = vim.lsp.start_client(config) -- Neovim 0.7
  vim.lsp.buf_attach_client(0, client)
end
local arrived = vim.wait(30000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)
local out = {}
if not arrived then
  table.insert(out, "no diagnostics arrived")
end
for _, d in ipairs(vim.diagnostic.get(0)) do
  local severity = ({ "error", "warning", "info", "hint" })[d.severity] or "?"
  local first = vim.split(d.message, "\n")[1]
  table.insert(out, string.format("%d:%d: %s: %s", d.lnum + 1, d.col + 1, severity, first))
end
vim.fn.writefile(out, os.getenv("OUT") or "/dev/stdout")
vim.cmd("qa!")
