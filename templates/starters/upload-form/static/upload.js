// Sends the form with fetch and shows the JSON answer on the page.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload");
  const result = document.getElementById("result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, { method: "POST", body: new FormData(form) });
    result.textContent = JSON.stringify(await response.json(), null, 2);
  });
});
