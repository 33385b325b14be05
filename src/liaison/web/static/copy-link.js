// "Copy link" buttons: copy the absolute address in data-copy and say so.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const address = new URL(button.dataset.copy, window.location.href).href;
  try {
    await navigator.clipboard.writeText(address);
  } catch {
    const field = document.createElement("textarea"); // no clipboard API (plain http)
    field.value = address;
    document.body.append(field);
    field.select();
    document.execCommand("copy");
    field.remove();
  }
  button.textContent = "Copied";
  const status = document.getElementById("copy-status");
  if (status) status.textContent = `Link copied: ${address}`;
});
