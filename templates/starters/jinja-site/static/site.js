// Loaded from /static/site.js: no inline script, so a strict Content-Security-Policy allows it.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("theme");
  if (!button) return;
  button.addEventListener("click", () => document.body.classList.toggle("dark"));
});
