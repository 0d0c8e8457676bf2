"""A chat room over WebSockets.

Each browser opens /ws; whatever one sends, the app sends to everyone
connected. The room lives in this process's memory, so it holds the people
connected to this replica and forgets them on each deploy.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

MAX_MESSAGE = 500

app = FastAPI(title="WebSocket chat")
app.mount("/static", StaticFiles(directory="static"), name="static")


class Room:
    def __init__(self):
        self.members: set[WebSocket] = set()

    async def join(self, websocket: WebSocket):
        await websocket.accept()
        self.members.add(websocket)

    def leave(self, websocket: WebSocket):
        self.members.discard(websocket)

    async def broadcast(self, message: dict):
        for member in list(self.members):
            try:
                await member.send_json(message)
            except (WebSocketDisconnect, RuntimeError, OSError):
                # The connection closed while we were sending (each Starlette
                # and uvicorn version says so its own way): drop it.
                self.leave(member)


room = Room()


@app.get("/", include_in_schema=False)
def chat_page():
    return FileResponse("static/index.html")


@app.get("/stats")
def stats():
    return {"connected": len(room.members)}


@app.websocket("/ws")
async def chat(websocket: WebSocket, name: str = "guest"):
    name = name.strip()[:30] or "guest"
    await room.join(websocket)
    await room.broadcast({"from": "room", "text": "%s joined" % name})
    try:
        while True:
            text = (await websocket.receive_text()).strip()[:MAX_MESSAGE]
            if text:
                await room.broadcast({"from": name, "text": text})
    except WebSocketDisconnect:
        room.leave(websocket)
        await room.broadcast({"from": "room", "text": "%s left" % name})
