console.log("lantern test asset");
